#pragma once

#include <functional>

class QHeaderView;
class QMenu;

namespace Dcs {

// Which column a table never lets the user hide.
enum class KeptColumn {
    First,       // the first column names the row (partner tables)
    LastVisible, // any, but never the last one shown: a table without columns has no header
};

// Adds one checkable action per column of `header` to `menu` (its model's header text, with its
// tooltip): unchecking one hides the column, then `changed` runs (to save the header's state).
// The header context menus of every table share it.
void addColumnToggles(QMenu &menu, QHeaderView *header, KeptColumn kept,
                      const std::function<void()> &changed);

} // namespace Dcs
