#pragma once

#include <QStyledItemDelegate>

namespace Dcs {

// Elides a column's text in the middle: the generated onboarding visitors
// (000…0001, 000…0002) differ only at their end.
class ElideMiddleDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->textElideMode = Qt::ElideMiddle;
    }
};

} // namespace Dcs
