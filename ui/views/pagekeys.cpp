#include "views/pagekeys.h"

#include <QKeyEvent>

namespace Dcs {

bool handlePageKeys(QEvent *event, std::initializer_list<PageKey> keys)
{
    if (event->type() != QEvent::ShortcutOverride && event->type() != QEvent::KeyPress)
        return false;
    auto *key = static_cast<QKeyEvent *>(event);
    for (const PageKey &pageKey : keys) {
        if (!key->matches(pageKey.first))
            continue;
        event->accept();
        if (event->type() == QEvent::KeyPress)
            pageKey.second();
        return true;
    }
    return false;
}

} // namespace Dcs
