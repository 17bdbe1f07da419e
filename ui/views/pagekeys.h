#pragma once

#include <QKeySequence>

#include <functional>
#include <initializer_list>
#include <utility>

class QEvent;

namespace Dcs {

// A page's own keys win over window-wide actions with the same key (the workspace's F5, Find)
// while the focus is in the page: the key is claimed at the ShortcutOverride stage, so no window
// action fires, and its handler runs on the key press. Call from the page's event(); true when
// `event` was one of `keys` (then the page returns true).
using PageKey = std::pair<QKeySequence::StandardKey, std::function<void()>>;
bool handlePageKeys(QEvent *event, std::initializer_list<PageKey> keys);

} // namespace Dcs
