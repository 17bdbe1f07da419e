#include "traitclockdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace Dcs {

TraitClockDialog::TraitClockDialog(const SegmentGroupItem &item, const QString &traitNames,
                                   QWidget *parent)
    : QDialog(parent)
    , m_item(item)
{
    setObjectName(QStringLiteral("traitClockDialog"));
    setWindowTitle(tr("Recency and Frequency"));

    auto *intro = new QLabel(tr("Count the realizations of %1:").arg(traitNames));
    intro->setWordWrap(true);
    intro->setTextFormat(Qt::PlainText);

    m_recency = new QComboBox;
    m_recency->setObjectName(QStringLiteral("recencyCombo"));
    m_recency->addItem(tr("at any time"), int(Recency::None));
    m_recency->addItem(tr("in the last (<=) N days"), int(Recency::Within));
    m_recency->addItem(tr("at least (>=) N days ago"), int(Recency::Older));
    m_recency->setToolTip(tr("Recency: only realizations of the last N days, or only those at "
                             "least N days old"));
    m_days = new QSpinBox;
    m_days->setObjectName(QStringLiteral("recencyDaysSpin"));
    m_days->setRange(1, 36500);
    m_days->setSuffix(tr(" days"));
    m_days->setAccessibleName(tr("Recency in days"));

    m_comparison = new QComboBox;
    m_comparison->setObjectName(QStringLiteral("frequencyCombo"));
    m_comparison->addItem(tr("at least (>=)"), int(FrequencyComparison::AtLeast));
    m_comparison->addItem(tr("at most (<=)"), int(FrequencyComparison::AtMost));
    m_comparison->addItem(tr("exactly (==)"), int(FrequencyComparison::Exactly));
    m_count = new QSpinBox;
    m_count->setObjectName(QStringLiteral("frequencySpin"));
    m_count->setRange(0, 1000000);
    auto *countUnit = new QLabel(tr("realizations"));
    m_count->setAccessibleName(tr("Number of realizations"));

    m_recency->setCurrentIndex(m_recency->findData(int(item.clock ? item.recency
                                                                  : Recency::None)));
    m_days->setValue(item.clock && item.recency != Recency::None ? item.recencyDays : 7);
    m_comparison->setCurrentIndex(m_comparison->findData(int(item.comparison)));
    m_count->setValue(int(std::clamp<qint64>(item.clock ? item.threshold : 1, 0, 1000000)));

    auto *recencyRow = new QHBoxLayout;
    recencyRow->addWidget(m_recency, 1);
    recencyRow->addWidget(m_days);
    auto *countRow = new QHBoxLayout;
    countRow->addWidget(m_comparison, 1);
    countRow->addWidget(m_count);
    countRow->addWidget(countUnit);
    // With a row of several fields the form makes no buddy: the labels get theirs here.
    auto *frequencyLabel = new QLabel(tr("&Frequency:"));
    frequencyLabel->setBuddy(m_comparison);
    auto *recencyLabel = new QLabel(tr("&Recency:"));
    recencyLabel->setBuddy(m_recency);
    auto *form = new QFormLayout;
    form->addRow(frequencyLabel, countRow);
    form->addRow(recencyLabel, recencyRow);

    m_preview = new QLabel;
    m_preview->setObjectName(QStringLiteral("clockPreview"));
    m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont mono = m_preview->font();
    mono.setFamily(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    m_preview->setFont(mono);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    QPushButton *clear = buttons->addButton(tr("No Clock"), QDialogButtonBox::ResetRole);
    clear->setObjectName(QStringLiteral("clearClockButton"));
    clear->setToolTip(tr("Any unexpired realization will do, as without a clock"));
    clear->setEnabled(item.clock && item.traitSids.size() == 1);
    connect(clear, &QPushButton::clicked, this, [this] {
        m_cleared = true;
        accept();
    });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_preview);
    layout->addWidget(buttons);

    for (QComboBox *combo : {m_recency, m_comparison})
        connect(combo, &QComboBox::currentIndexChanged, this, &TraitClockDialog::updatePreview);
    for (QSpinBox *spin : {m_days, m_count})
        connect(spin, &QSpinBox::valueChanged, this, &TraitClockDialog::updatePreview);
    updatePreview();
}

SegmentGroupItem TraitClockDialog::item() const
{
    if (m_cleared)
        return SegmentGroupItem::trait(m_item.traitSids.value(0));
    SegmentGroupItem item = m_item;
    item.clock = true;
    item.recency = Recency(m_recency->currentData().toInt());
    item.recencyDays = item.recency == Recency::None ? 0 : m_days->value();
    item.comparison = FrequencyComparison(m_comparison->currentData().toInt());
    item.threshold = m_count->value();
    return item;
}

void TraitClockDialog::updatePreview()
{
    m_days->setEnabled(m_recency->currentData().toInt() != int(Recency::None));
    m_preview->setText(item().toRule().toString());
}

} // namespace Dcs
