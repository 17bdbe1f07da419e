#include "transferfilter.h"

#include "transfercolumns.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>

namespace Dcs {

bool TransferFilter::isEmpty() const
{
    return !dpid && !outcome && visitor.isEmpty() && tid.isEmpty() && text.isEmpty();
}

bool TransferFilter::matches(const TransferRecord &record) const
{
    if (dpid && record.dpid != *dpid)
        return false;
    if (outcome && record.outcome != *outcome)
        return false;
    if (!visitor.isEmpty() && record.uuid != visitor)
        return false;
    if (!tid.isEmpty() && record.tid != tid)
        return false;
    if (text.isEmpty())
        return true;
    const auto has = [this](const QString &field) {
        return field.contains(text, Qt::CaseInsensitive);
    };
    if (has(record.partnerName) || has(record.uuid) || has(record.tid) || has(record.reason))
        return true;
    for (const QString &code : record.codes) {
        if (has(code))
            return true;
    }
    for (const QString &code : record.unsegments) {
        if (has(code))
            return true;
    }
    return false;
}

TransferLog::Filter TransferFilter::toLogFilter() const
{
    TransferLog::Filter filter;
    filter.dpid = dpid;
    filter.outcome = outcome;
    filter.uuid = visitor;
    filter.tid = tid;
    filter.text = text;
    return filter;
}

TransferFilterBar::TransferFilterBar(QWidget *parent)
    : QWidget(parent)
{
    m_partner = new QComboBox;
    m_partner->setObjectName(QStringLiteral("partnerFilter"));
    m_partner->setAccessibleName(tr("Partner filter"));
    m_partner->setToolTip(tr("Show one partner's calls only"));
    m_partner->addItem(tr("All partners"));
    m_partner->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    m_outcome = new QComboBox;
    m_outcome->setObjectName(QStringLiteral("outcomeFilter"));
    m_outcome->setAccessibleName(tr("Outcome filter"));
    m_outcome->setToolTip(tr("Show one outcome only"));
    m_outcome->addItem(tr("All outcomes"));
    for (int value = 0; value < TransferOutcomeCount; ++value) {
        const auto outcome = TransferOutcome(value);
        m_outcome->addItem(TransferColumns::outcomeIcon(outcome),
                           TransferColumns::outcomeLabel(outcome), value);
        m_outcome->setItemData(m_outcome->count() - 1,
                               TransferColumns::outcomeDescription(outcome), Qt::ToolTipRole);
    }

    const auto makeEdit = [](const QString &name, const QString &placeholder,
                             const QString &accessible) {
        auto *edit = new QLineEdit;
        edit->setObjectName(name);
        edit->setPlaceholderText(placeholder);
        edit->setAccessibleName(accessible);
        edit->setClearButtonEnabled(true);
        return edit;
    };
    m_visitor = makeEdit(QStringLiteral("visitorFilter"), tr("Visitor UUID"),
                         tr("Visitor filter"));
    m_visitor->setToolTip(tr("Show one visitor's calls (the exact UUID)"));
    m_tid = makeEdit(QStringLiteral("tidFilter"), tr("tid"), tr("Transaction ID filter"));
    m_tid->setToolTip(tr("Show the partner calls of one /event (the exact tid)"));
    m_text = makeEdit(QStringLiteral("textFilter"), tr("Search…"), tr("Text filter"));
    m_text->setToolTip(tr("Partner, visitor, tid, reason or code containing this text"));

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_partner);
    layout->addWidget(m_outcome);
    layout->addWidget(m_visitor, 2);
    layout->addWidget(m_tid, 1);
    layout->addWidget(m_text, 2);

    connect(m_partner, &QComboBox::currentIndexChanged, this, &TransferFilterBar::readFields);
    connect(m_outcome, &QComboBox::currentIndexChanged, this, &TransferFilterBar::readFields);
    for (QLineEdit *edit : {m_visitor, m_tid, m_text})
        connect(edit, &QLineEdit::textChanged, this, &TransferFilterBar::readFields);
}

void TransferFilterBar::setPartners(const QList<PartnerChoice> &partners)
{
    const QVariant current = m_partner->currentData();
    {
        const QSignalBlocker blocker(m_partner);
        m_partner->clear();
        m_partner->addItem(tr("All partners"));
        for (const PartnerChoice &partner : partners)
            m_partner->addItem(tr("%1 (%2)").arg(partner.name).arg(partner.dpid), partner.dpid);
        const int index = current.isValid() ? m_partner->findData(current) : 0;
        m_partner->setCurrentIndex(qMax(index, 0));
    }
    readFields(); // the chosen partner may have gone
}

void TransferFilterBar::setFilter(const TransferFilter &filter)
{
    m_updating = true;
    m_partner->setCurrentIndex(filter.dpid ? qMax(m_partner->findData(*filter.dpid), 0) : 0);
    m_outcome->setCurrentIndex(filter.outcome ? m_outcome->findData(int(*filter.outcome)) : 0);
    m_visitor->setText(filter.visitor);
    m_tid->setText(filter.tid);
    m_text->setText(filter.text);
    m_updating = false;
    readFields();
}

void TransferFilterBar::clear()
{
    setFilter({});
}

void TransferFilterBar::readFields()
{
    if (m_updating)
        return;
    TransferFilter filter;
    if (const QVariant dpid = m_partner->currentData(); dpid.isValid())
        filter.dpid = dpid.toLongLong();
    if (const QVariant outcome = m_outcome->currentData(); outcome.isValid())
        filter.outcome = TransferOutcome(outcome.toInt());
    filter.visitor = m_visitor->text().trimmed();
    filter.tid = m_tid->text().trimmed();
    filter.text = m_text->text().trimmed();
    if (filter == m_filter)
        return;
    m_filter = filter;
    Q_EMIT filterChanged(m_filter);
}

} // namespace Dcs
