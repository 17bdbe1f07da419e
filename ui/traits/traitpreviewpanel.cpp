#include "traits/traitpreviewpanel.h"

#include "rules/realization.h"
#include "storage/storage.h"

#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace Dcs {

namespace {

constexpr int DefaultDebounceMs = 250;
constexpr int MaxShownValueLength = 32;

qint64 systemNow()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString windowLabel(int days)
{
    return days == 1 ? TraitPreviewPanel::tr("Last day")
                     : TraitPreviewPanel::tr("Last %1 days").arg(days);
}

} // namespace

TraitPreviewPanel::TraitPreviewPanel(Storage &storage, QWidget *parent)
    : QWidget(parent)
    , m_storage(storage)
    , m_job(new TraitPreviewJob(storage, this))
    , m_clock(systemNow)
    , m_debounce(new QTimer(this))
{
    setObjectName(QStringLiteral("traitPreviewPanel"));
    m_matchPool.setMaxThreadCount(1);
    m_matchPool.setExpiryTimeout(5000);

    auto *title = new QLabel(tr("<b>Preview</b>: unique visitors the rule would have qualified"));
    title->setWordWrap(true);
    m_windows = new QTableWidget(int(PreviewWindowDays.size()), 2);
    m_windows->setObjectName(QStringLiteral("previewWindows"));
    m_windows->setAccessibleName(tr("Unique visitors per window"));
    m_windows->setHorizontalHeaderLabels({tr("Visitors"), tr("95% interval")});
    m_windows->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_windows->setSelectionMode(QAbstractItemView::NoSelection);
    m_windows->setFocusPolicy(Qt::NoFocus);
    m_windows->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_windows->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    for (int row = 0; row < int(PreviewWindowDays.size()); ++row) {
        m_windows->setVerticalHeaderItem(row,
                                         new QTableWidgetItem(windowLabel(PreviewWindowDays[row])));
        for (int column = 0; column < 2; ++column) {
            auto *item = new QTableWidgetItem;
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_windows->setItem(row, column, item);
        }
    }
    const int tableHeight = m_windows->horizontalHeader()->sizeHint().height()
                            + m_windows->verticalHeader()->length() + 2 * m_windows->frameWidth();
    m_windows->setMinimumHeight(tableHeight);
    m_windows->setMaximumHeight(tableHeight + 4);

    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("previewProgress"));
    m_progress->setAccessibleName(tr("Preview progress"));
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(8);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("previewStatus"));
    m_status->setWordWrap(true);

    auto *matchesTitle = new QLabel(tr("<b>Newest matching events</b> (matched signals "
                                       "highlighted)"));
    matchesTitle->setWordWrap(true);
    m_matches = new QTextBrowser;
    m_matches->setObjectName(QStringLiteral("previewMatches"));
    m_matches->setAccessibleName(tr("Newest matching events"));
    m_matches->setOpenLinks(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title);
    layout->addWidget(m_windows);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(matchesTitle);
    layout->addWidget(m_matches, 1);

    m_debounce->setSingleShot(true);
    m_debounce->setInterval(DefaultDebounceMs);
    connect(m_debounce, &QTimer::timeout, this, &TraitPreviewPanel::start);
    connect(m_job, &TraitPreviewJob::progress, this,
            [this](double fraction) { m_progress->setValue(int(fraction * 1000)); });
    connect(m_job, &TraitPreviewJob::estimated, this,
            [this](const TraitPreviewResult &result) { showResult(result, false); });
    connect(m_job, &TraitPreviewJob::finished, this,
            [this](const TraitPreviewResult &result) { showResult(result, true); });
    clear();
}

TraitPreviewPanel::~TraitPreviewPanel()
{
    if (m_matchCancel)
        m_matchCancel->store(true);
    m_matchPool.waitForDone();
}

void TraitPreviewPanel::setClock(Clock clock)
{
    m_clock = clock ? std::move(clock) : Clock(systemNow);
}

void TraitPreviewPanel::setDebounceMs(int milliseconds)
{
    m_debounce->setInterval(qMax(0, milliseconds));
}

int TraitPreviewPanel::debounceMs() const
{
    return m_debounce->interval();
}

void TraitPreviewPanel::setRule(const QString &ruleText)
{
    if (ruleText == m_rule && (m_debounce->isActive() || m_job->isRunning() || m_exact))
        return;
    m_rule = ruleText;
    m_exact = false;
    // What is shown is for an older text from now on: greyed until the new figures arrive.
    m_windows->setEnabled(false);
    m_debounce->start();
}

void TraitPreviewPanel::refresh()
{
    m_debounce->stop();
    start();
}

void TraitPreviewPanel::clear()
{
    m_debounce->stop();
    m_job->cancel();
    if (m_matchCancel)
        m_matchCancel->store(true);
    ++m_matchGeneration;
    m_rule.clear();
    m_exact = false;
    m_shown = {};
    m_shownMatches = {};
    for (int row = 0; row < m_windows->rowCount(); ++row) {
        m_windows->item(row, 0)->setText(QStringLiteral("–"));
        m_windows->item(row, 1)->setText(QString());
    }
    m_windows->setEnabled(true);
    m_progress->setValue(0);
    m_status->setText(tr("Type a rule to see how many visitors it would qualify."));
    m_matches->clear();
}

void TraitPreviewPanel::start()
{
    if (m_rule.trimmed().isEmpty()) {
        clear();
        return;
    }
    const qint64 nowMs = m_clock();
    m_progress->setValue(0);
    m_status->setText(tr("Counting…"));
    m_job->start(m_rule, nowMs);
    startMatches(m_rule, nowMs);
}

void TraitPreviewPanel::showResult(const TraitPreviewResult &result, bool exact)
{
    if (result.status == TraitPreviewResult::Status::InvalidRule) {
        m_windows->setEnabled(false);
        m_progress->setValue(0);
        m_status->setText(tr("The rule has errors: the preview waits until it parses (%1).")
                              .arg(result.diagnostics.value(0).message()));
        m_matches->setPlainText(tr("Waiting for a rule that parses."));
        m_exact = exact;
        if (exact)
            Q_EMIT previewFinished();
        return;
    }
    if (result.status == TraitPreviewResult::Status::Failed) {
        m_status->setText(tr("The preview failed: %1").arg(result.error));
        return;
    }
    m_shown = result;
    m_exact = exact;
    const QLocale locale;
    for (int row = 0; row < int(result.windows.size()); ++row) {
        const PreviewWindowCount &window = result.windows[size_t(row)];
        m_windows->item(row, 0)->setText(exact ? locale.toString(window.visitors)
                                               : tr("≈ %1").arg(locale.toString(window.visitors)));
        m_windows->item(row, 1)->setText(
            exact ? tr("exact")
                  : tr("%1 – %2").arg(locale.toString(window.low), locale.toString(window.high)));
    }
    m_windows->setEnabled(true);
    if (exact) {
        m_progress->setValue(1000);
        m_status->setText(tr("Exact, over %1 events of the last 90 days (%2 matched).")
                              .arg(locale.toString(result.eventsRead),
                                   locale.toString(result.eventsMatched)));
        Q_EMIT previewFinished();
    } else {
        m_status->setText(tr("Estimated from 1 in %1 visitors (95% interval); counting "
                             "exactly…")
                              .arg(result.sampleModulus));
    }
}

void TraitPreviewPanel::startMatches(const QString &ruleText, qint64 nowMs)
{
    if (m_matchCancel)
        m_matchCancel->store(true);
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_matchCancel = cancel;
    const quint64 generation = ++m_matchGeneration;
    Storage *storage = &m_storage;
    m_matchPool.start([this, storage, cancel, generation, ruleText, nowMs] {
        TraitMatchSampleResult result;
        {
            const TraitRuleParse parse = TraitRule::compile(ruleText);
            QString error;
            if (!parse.ok())
                return; // showResult() says the rule has errors; no sample to show
            TraitMatchSample::newest(storage->reader(), *parse.rule,
                                     nowMs - qint64(PreviewWindowDays.back()) * MsPerDay, nowMs,
                                     &result, &error, TraitMatchSample::DefaultLimit,
                                     cancel.get());
        }
        storage->releaseReader();
        if (result.cancelled)
            return;
        QMetaObject::invokeMethod(
            this,
            [this, result, generation] {
                if (generation == m_matchGeneration)
                    showMatches(result);
            },
            Qt::QueuedConnection);
    });
}

void TraitPreviewPanel::showMatches(const TraitMatchSampleResult &result)
{
    m_shownMatches = result;
    if (result.events.isEmpty()) {
        m_matches->setPlainText(tr("No event of the last 90 days matches the rule."));
        Q_EMIT matchesShown();
        return;
    }
    const QPalette colours = palette();
    const QString markBackground = colours.color(QPalette::Highlight).name();
    const QString markText = colours.color(QPalette::HighlightedText).name();
    const QString muted = colours.color(QPalette::PlaceholderText).name();
    const QLocale locale;
    QString html;
    for (const TraitMatchedEvent &event : result.events) {
        html += QStringLiteral("<p style=\"margin:0 0 6px 0\"><span style=\"color:%1\">%2 · %3"
                               "</span><br>")
                    .arg(muted,
                         locale.toString(QDateTime::fromMSecsSinceEpoch(event.timeMs),
                                         QLocale::ShortFormat)
                             .toHtmlEscaped(),
                         event.uuid.right(12).toHtmlEscaped());
        // Matched signals first; long values of the others elided, so the sample stays a list.
        QList<Signal> ordered;
        for (const Signal &signal : event.signalList) {
            const bool hit = std::any_of(event.matched.cbegin(), event.matched.cend(),
                                         [&](const Signal &s) { return s.key == signal.key; });
            if (hit)
                ordered.prepend(signal);
            else
                ordered.append(signal);
        }
        QStringList parts;
        for (const Signal &signal : std::as_const(ordered)) {
            const auto matched = std::find_if(event.matched.cbegin(), event.matched.cend(),
                                              [&](const Signal &s) { return s.key == signal.key; });
            QStringList values;
            for (const QString &value : signal.values) {
                const bool hit = matched != event.matched.cend() && matched->values.contains(value);
                QString shown = !hit && value.size() > MaxShownValueLength
                                    ? value.left(MaxShownValueLength) + QChar(0x2026)
                                    : value;
                for (QChar &ch : shown) {
                    if (ch.category() == QChar::Other_Control)
                        ch = QChar(0x00B7); // a d_cid separator and the like: visible, not a box
                }
                values.append(hit ? QStringLiteral("<b style=\"background:%1;color:%2\">%3</b>")
                                        .arg(markBackground, markText, shown.toHtmlEscaped())
                                  : shown.toHtmlEscaped());
            }
            const QString key = matched != event.matched.cend()
                                    ? QStringLiteral("<b>%1</b>").arg(signal.key.toHtmlEscaped())
                                    : signal.key.toHtmlEscaped();
            parts.append(key + QLatin1Char('=') + values.join(QLatin1Char('|')));
        }
        html += QStringLiteral("<code>%1</code></p>").arg(parts.join(QStringLiteral(" &nbsp;")));
    }
    m_matches->setHtml(html);
    Q_EMIT matchesShown();
}

} // namespace Dcs
