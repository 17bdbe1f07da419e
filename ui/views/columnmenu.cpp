#include "columnmenu.h"

#include <QAbstractItemModel>
#include <QHeaderView>
#include <QMenu>

namespace Dcs {

void addColumnToggles(QMenu &menu, QHeaderView *header, KeptColumn kept,
                      const std::function<void()> &changed)
{
    const QAbstractItemModel *model = header->model();
    if (!model)
        return;
    menu.setToolTipsVisible(true);
    int visible = 0;
    for (int column = 0; column < header->count(); ++column)
        visible += header->isSectionHidden(column) ? 0 : 1;
    for (int column = 0; column < header->count(); ++column) {
        QAction *toggle =
            menu.addAction(model->headerData(column, header->orientation()).toString());
        toggle->setCheckable(true);
        const bool hidden = header->isSectionHidden(column);
        toggle->setChecked(!hidden);
        toggle->setToolTip(
            model->headerData(column, header->orientation(), Qt::ToolTipRole).toString());
        toggle->setEnabled(kept == KeptColumn::First ? column != 0 : hidden || visible > 1);
        QObject::connect(toggle, &QAction::toggled, header, [header, column, changed](bool on) {
            header->setSectionHidden(column, !on);
            if (changed)
                changed();
        });
    }
}

} // namespace Dcs
