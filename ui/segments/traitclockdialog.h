#pragma once

#include "rules/segmentrulegroups.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QSpinBox;

namespace Dcs {

// The clock of one trait in the visual view: how recently (any time, within the last N days,
// at least N days ago) and how often (at least, at most, exactly M realizations). Accepting
// turns the trait into a FREQUENCY; "No clock" turns it back into the plain trait.
class TraitClockDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit TraitClockDialog(const SegmentGroupItem &item, const QString &traitNames,
                              QWidget *parent = nullptr);

    // The item as the dialog's fields set it (clock on), or the plain trait after "No clock".
    SegmentGroupItem item() const;

    QComboBox *recencyCombo() const { return m_recency; }
    QSpinBox *daysSpin() const { return m_days; }
    QComboBox *comparisonCombo() const { return m_comparison; }
    QSpinBox *countSpin() const { return m_count; }

private:
    void updatePreview();

    SegmentGroupItem m_item;
    bool m_cleared = false;
    QComboBox *m_recency = nullptr;
    QSpinBox *m_days = nullptr;
    QComboBox *m_comparison = nullptr;
    QSpinBox *m_count = nullptr;
    QLabel *m_preview = nullptr;
};

} // namespace Dcs
