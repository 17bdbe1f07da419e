#pragma once

#include "storage/transferlog.h"
#include "transfer/transferrecord.h"

#include <QList>
#include <QString>
#include <QWidget>

#include <optional>

class QComboBox;
class QLineEdit;

namespace Dcs {

// What the user narrowed a transfers table to: the same filter for the live monitor (applied
// to records in memory) and the history (turned into a TransferLog query).
struct TransferFilter
{
    std::optional<qint64> dpid;
    std::optional<TransferOutcome> outcome;
    QString visitor; // exact UUID
    QString tid;     // exact
    // Case-insensitive substring of the partner's name, the visitor, the tid, the reason, a
    // code or an unsegment.
    QString text;

    bool isEmpty() const;
    bool matches(const TransferRecord &record) const;
    // The same filter as a TransferLog query (text included: the log applies it in SQL, with
    // the case folding caveat TransferLog::Filter::text states). No time range.
    TransferLog::Filter toLogFilter() const;

    friend bool operator==(const TransferFilter &, const TransferFilter &) = default;
};

// The filter row above a transfers table: partner, outcome, visitor, tid and free text. Every
// change is emitted at once (no Apply button): filtering a bounded ring in memory is instant,
// and the history debounces its own queries.
class TransferFilterBar final : public QWidget
{
    Q_OBJECT
public:
    struct PartnerChoice
    {
        QString name;
        qint64 dpid = 0;
    };

    explicit TransferFilterBar(QWidget *parent = nullptr);

    // Keeps the current choice when its DPID is still listed.
    void setPartners(const QList<PartnerChoice> &partners);
    TransferFilter filter() const { return m_filter; }
    // Sets every field (and emits filterChanged when it differs).
    void setFilter(const TransferFilter &filter);
    void clear();

    QComboBox *partnerBox() const { return m_partner; }
    QComboBox *outcomeBox() const { return m_outcome; }
    QLineEdit *visitorEdit() const { return m_visitor; }
    QLineEdit *tidEdit() const { return m_tid; }
    QLineEdit *textEdit() const { return m_text; }

Q_SIGNALS:
    void filterChanged(const Dcs::TransferFilter &filter);

private:
    void readFields();

    QComboBox *m_partner = nullptr;
    QComboBox *m_outcome = nullptr;
    QLineEdit *m_visitor = nullptr;
    QLineEdit *m_tid = nullptr;
    QLineEdit *m_text = nullptr;
    TransferFilter m_filter;
    bool m_updating = false;
};

} // namespace Dcs
