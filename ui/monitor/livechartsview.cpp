#include "livechartsview.h"

#include "common/appsettings.h"
#include "monitor/monitorfeed.h"
#include "transfercolumns.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QTimer>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace Dcs {

namespace {

using Window = MonitorSeries::Window;

// The outcome groups of the calls chart: the groups of the outcome icons.
struct OutcomeGroup
{
    const char *label;
    const char *description;
    Qt::PenStyle penStyle;
    QList<TransferOutcome> outcomes;
};

const std::array<OutcomeGroup, LiveChartsView::kOutcomeGroupCount> &outcomeGroups()
{
    static const std::array<OutcomeGroup, LiveChartsView::kOutcomeGroupCount> groups{{
        {QT_TRANSLATE_NOOP("Dcs::LiveChartsView", "OK"),
         QT_TRANSLATE_NOOP("Dcs::LiveChartsView", "answered in time with segments"),
         Qt::SolidLine, {TransferOutcome::Ok}},
        {QT_TRANSLATE_NOOP("Dcs::LiveChartsView", "Empty"),
         QT_TRANSLATE_NOOP("Dcs::LiveChartsView", "answered in time without segments"),
         Qt::DashLine, {TransferOutcome::Empty}},
        {QT_TRANSLATE_NOOP("Dcs::LiveChartsView", "Timeout/late"),
         QT_TRANSLATE_NOOP("Dcs::LiveChartsView", "no answer before the deadline, or after it"),
         Qt::DashDotLine, {TransferOutcome::Timeout, TransferOutcome::Late}},
        {QT_TRANSLATE_NOOP("Dcs::LiveChartsView", "Errors"),
         QT_TRANSLATE_NOOP("Dcs::LiveChartsView", "HTTP errors, bad answers, network errors"),
         Qt::SolidLine,
         {TransferOutcome::HttpError, TransferOutcome::BadAnswer, TransferOutcome::NetworkError}},
        {QT_TRANSLATE_NOOP("Dcs::LiveChartsView", "Not called"),
         QT_TRANSLATE_NOOP("Dcs::LiveChartsView",
                           "skipped, circuit open, rate limited or no ID sync"),
         Qt::DotLine,
         {TransferOutcome::Skipped, TransferOutcome::CircuitOpen, TransferOutcome::RateLimited,
          TransferOutcome::NoIdSync}},
    }};
    return groups;
}

// The Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), in an
// order that keeps the ones weakest on a light or a dark background for last; the pen styles
// cycle too, so that two partners never differ by colour alone.
constexpr std::array<QRgb, 7> kPartnerColours{0xe69f00, 0x56b4e9, 0x009e73, 0xcc79a7,
                                              0xd55e00, 0x0072b2, 0xf0e442};
constexpr std::array<Qt::PenStyle, 4> kPartnerPenStyles{Qt::SolidLine, Qt::DashLine,
                                                        Qt::DotLine, Qt::DashDotLine};
constexpr QRgb kP50Colour = 0x56b4e9;
constexpr QRgb kP99Colour = 0xe69f00;
constexpr qreal kLineWidth = 2;

qint64 windowMs(Window window)
{
    return qint64(MonitorSeries::periodSeconds(window)) * MonitorSeries::pointCount(window)
           * 1000;
}

qint64 floorDiv(qint64 value, qint64 divisor)
{
    return value >= 0 ? value / divisor : (value - divisor + 1) / divisor;
}

// Point-by-point sum of lists from one resolution. Each list was read under its own lock, so a
// writer may have closed a period in between: only the range all of them cover is summed.
QList<QPointF> sumPoints(const QList<QList<QPointF>> &lists, qint64 periodMs)
{
    qreal first = std::numeric_limits<qreal>::lowest();
    qreal last = std::numeric_limits<qreal>::max();
    for (const QList<QPointF> &points : lists) {
        if (points.isEmpty())
            return {};
        first = std::max(first, points.first().x());
        last = std::min(last, points.last().x());
    }
    if (lists.isEmpty() || last < first)
        return {};
    const auto count = qsizetype(std::llround((last - first) / qreal(periodMs))) + 1;
    QList<QPointF> sum;
    sum.reserve(count);
    for (qsizetype i = 0; i < count; ++i)
        sum.append(QPointF(first + qreal(i * periodMs), 0));
    for (const QList<QPointF> &points : lists) {
        for (const QPointF &point : points) {
            const auto index = qsizetype(std::llround((point.x() - first) / qreal(periodMs)));
            if (index >= 0 && index < count)
                sum[index].ry() += point.y();
        }
    }
    return sum;
}

double highestY(const QList<QPointF> &points)
{
    double highest = 0;
    for (const QPointF &point : points)
        highest = std::max(highest, point.y());
    return highest;
}

// A y axis from 0 to a round top at or above `value`, divided into round steps: the top is one
// of 1, 2, 2.5, 3, 4, 5, 6, 8 × 10^n (tight enough that a line fills most of the height).
struct NiceRange
{
    double top = 1;
    int tickCount = 6;
    int decimals = 0;
};

NiceRange niceRange(double value)
{
    struct Candidate
    {
        double mantissa;
        int tickCount; // steps of 0.2, 0.5 or 1 × the mantissa's unit
    };
    static constexpr Candidate kCandidates[] = {{1, 6},   {2, 5}, {2.5, 6}, {3, 7}, {4, 5},
                                                {5, 6},   {6, 7}, {8, 5},   {10, 6}};
    const double magnitude = std::pow(10.0, std::floor(std::log10(std::max(value, 1e-9))));
    NiceRange range;
    for (const Candidate &candidate : kCandidates) {
        if (candidate.mantissa * magnitude >= value * (1 - 1e-9)) {
            range.top = candidate.mantissa * magnitude;
            range.tickCount = candidate.tickCount;
            break;
        }
    }
    const double step = range.top / (range.tickCount - 1);
    range.decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)));
    return range;
}

QString valueText(double value, const QString &unit)
{
    return QStringLiteral("%1 %2").arg(value, 0, 'f', value < 10 ? 2 : 1).arg(unit);
}

} // namespace

LiveChartsView::LiveChartsView(MonitorFeed &feed, QWidget *parent)
    : QWidget(parent)
    , m_feed(feed)
    , m_clock(&MonitorFeed::currentTimeMs)
{
    setObjectName(QStringLiteral("liveChartsView"));

    m_windowSelector = new QComboBox;
    m_windowSelector->setObjectName(QStringLiteral("chartWindow"));
    m_windowSelector->setAccessibleName(tr("Time window of the charts"));
    m_windowSelector->setToolTip(tr("How far back the charts go: the last 5 minutes have a "
                                    "point per second, the last 30 one per 5 s, the last hour "
                                    "one per 10 s"));
    m_windowSelector->addItem(tr("Last 5 minutes"), int(Window::Last5Minutes));
    m_windowSelector->addItem(tr("Last 30 minutes"), int(Window::Last30Minutes));
    m_windowSelector->addItem(tr("Last 60 minutes"), int(Window::Last60Minutes));
    auto *windowLabel = new QLabel(tr("&Window:"));
    windowLabel->setBuddy(m_windowSelector);

    m_charts[EventsChart] = makeChart(QStringLiteral("eventsChart"), tr("Events per second"),
                                      tr("Events per second chart"), 1);
    m_charts[OutcomesChart] = makeChart(QStringLiteral("outcomesChart"),
                                        tr("Partner calls per second, by outcome"),
                                        tr("Partner calls per second by outcome chart"), 1);
    m_charts[LatencyChart] = makeChart(QStringLiteral("latencyChart"),
                                       tr("Visitor latency (ms)"),
                                       tr("Visitor latency chart"), 1);
    m_charts[PartnerLatencyChart] = makeChart(QStringLiteral("partnerLatencyChart"),
                                              tr("Partner latency, p99 (ms)"),
                                              tr("Partner p99 latency chart"), 1);

    m_events = addLine(m_charts[EventsChart], QStringLiteral("events"), tr("Events/s"),
                       tr("events/s"));
    for (size_t i = 0; i < m_outcomes.size(); ++i) {
        const OutcomeGroup &group = outcomeGroups()[i];
        m_outcomes[i] = addLine(m_charts[OutcomesChart],
                                QStringLiteral("outcome%1").arg(i), tr(group.label),
                                tr("calls/s"));
    }
    m_charts[OutcomesChart].view->setToolTip(
        [] {
            QStringList lines;
            for (const OutcomeGroup &group : outcomeGroups())
                lines.append(tr("%1: %2").arg(tr(group.label), tr(group.description)));
            return lines.join(u'\n');
        }());
    m_latencyP50 = addLine(m_charts[LatencyChart], QStringLiteral("latencyP50"), tr("p50"),
                           tr("ms"));
    m_latencyP99 = addLine(m_charts[LatencyChart], QStringLiteral("latencyP99"), tr("p99"),
                           tr("ms"));
    m_charts[EventsChart].view->setToolTip(tr("Answered /event calls per second"));
    m_charts[LatencyChart].view->setToolTip(
        tr("How long visitors waited for the DCS's answer: half of the calls were faster than "
           "p50, 99 in 100 faster than p99"));
    m_charts[PartnerLatencyChart].view->setToolTip(
        tr("Each partner's latency at p99 over the requests sent (up to %1 partners)")
            .arg(kMaxPartnerSeries));

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(windowLabel);
    top->addWidget(m_windowSelector);
    top->addStretch(1);
    auto *grid = new QGridLayout;
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(4);
    grid->addWidget(m_charts[EventsChart].view, 0, 0);
    grid->addWidget(m_charts[OutcomesChart].view, 0, 1);
    grid->addWidget(m_charts[LatencyChart].view, 1, 0);
    grid->addWidget(m_charts[PartnerLatencyChart].view, 1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addLayout(grid, 1);

    applyTheme();

    switch (AppSettings().liveChartsWindowMinutes()) {
    case 30: m_window = Window::Last30Minutes; break;
    case 60: m_window = Window::Last60Minutes; break;
    default: m_window = Window::Last5Minutes; break;
    }
    m_windowSelector->setCurrentIndex(m_windowSelector->findData(int(m_window)));
    connect(m_windowSelector, &QComboBox::currentIndexChanged, this, [this](int index) {
        setTimeWindow(Window(m_windowSelector->itemData(index).toInt()));
    });

    m_timer = new QTimer(this);
    m_timer->setInterval(kRefreshMs);
    connect(m_timer, &QTimer::timeout, this, &LiveChartsView::refresh);
    // No read before the view is shown: reading moves the series on to the clock's second,
    // and a test sets its own clock after construction.
}

LiveChartsView::~LiveChartsView() = default;

LiveChartsView::ChartParts LiveChartsView::makeChart(const QString &objectName,
                                                     const QString &title,
                                                     const QString &accessibleName,
                                                     double yFloor)
{
    ChartParts parts;
    parts.yFloor = yFloor;
    parts.chart = new QChart;
    parts.chart->setAnimationOptions(QChart::NoAnimation); // live data: never animate
    parts.chart->setTitle(title);
    parts.chart->legend()->setAlignment(Qt::AlignBottom);
    parts.chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    parts.chart->setMargins(QMargins(4, 4, 4, 4));
    parts.chart->setBackgroundRoundness(0);

    parts.x = new QDateTimeAxis;
    parts.x->setTickCount(6);
    parts.y = new QValueAxis;
    parts.y->setRange(0, yFloor);
    parts.y->setMinorTickCount(0);
    // Qt Charts keeps an axis's label width from its last layout: when the range grows from
    // "0.5" to "50" the new labels would show as "..." until the next resize.
    parts.x->setTruncateLabels(false);
    parts.y->setTruncateLabels(false);
    parts.chart->addAxis(parts.x, Qt::AlignBottom);
    parts.chart->addAxis(parts.y, Qt::AlignLeft);

    parts.view = new QChartView(parts.chart);
    parts.view->setObjectName(objectName);
    parts.view->setAccessibleName(accessibleName);
    parts.view->setRenderHint(QPainter::Antialiasing);
    parts.view->setMinimumSize(320, 200);
    return parts;
}

QLineSeries *LiveChartsView::addLine(ChartParts &parts, const QString &objectName,
                                     const QString &name, const QString &unit)
{
    auto *series = new QLineSeries;
    series->setObjectName(objectName);
    series->setName(name);
    parts.chart->addSeries(series);
    series->attachAxis(parts.x);
    series->attachAxis(parts.y);
    connect(series, &QXYSeries::hovered, this,
            [series, unit](const QPointF &point, bool entered) {
                if (!entered) {
                    QToolTip::hideText();
                    return;
                }
                const QString time = QDateTime::fromMSecsSinceEpoch(qint64(point.x()))
                                         .toString(QStringLiteral("HH:mm:ss"));
                QToolTip::showText(QCursor::pos(), tr("%1 at %2: %3")
                                                       .arg(series->name(), time,
                                                            valueText(point.y(), unit)));
            });
    return series;
}

void LiveChartsView::setClock(Clock clock)
{
    m_clock = clock ? std::move(clock) : Clock(&MonitorFeed::currentTimeMs);
}

void LiveChartsView::setActive(bool active)
{
    m_active = active;
    if (active && isVisible()) {
        refresh();
        m_timer->start();
    } else {
        m_timer->stop();
    }
}

bool LiveChartsView::isPolling() const
{
    return m_timer->isActive();
}

void LiveChartsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_active) {
        refresh();
        m_timer->start();
    }
}

void LiveChartsView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_timer->stop();
}

void LiveChartsView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (!m_styling
        && (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)) {
        applyTheme();
    }
}

void LiveChartsView::setTimeWindow(MonitorSeries::Window window)
{
    if (window == m_window)
        return;
    m_window = window;
    m_windowSelector->setCurrentIndex(m_windowSelector->findData(int(window)));
    AppSettings().setLiveChartsWindowMinutes(int(windowMs(window) / 60000));
    refresh();
}

void LiveChartsView::refresh()
{
    const qint64 nowMs = m_clock();
    const MonitorSeries &series = m_feed.series();
    const qint64 periodMs = qint64(MonitorSeries::periodSeconds(m_window)) * 1000;

    m_events->replace(series.points(MonitorSeries::Metric::EventsPerSecond, m_window, nowMs));

    for (size_t i = 0; i < m_outcomes.size(); ++i) {
        QList<QList<QPointF>> lists;
        for (const TransferOutcome outcome : outcomeGroups()[i].outcomes)
            lists.append(series.outcomePoints(outcome, m_window, nowMs));
        m_outcomes[i]->replace(lists.size() == 1 ? lists.first() : sumPoints(lists, periodMs));
    }

    m_latencyP50->replace(
        series.points(MonitorSeries::Metric::EventLatencyP50Ms, m_window, nowMs));
    m_latencyP99->replace(
        series.points(MonitorSeries::Metric::EventLatencyP99Ms, m_window, nowMs));

    updatePartnerLines(nowMs);
    for (auto it = m_partners.cbegin(); it != m_partners.cend(); ++it)
        it->series->replace(series.partnerP99Points(it.key(), m_window, nowMs));

    updateTimeAxes(nowMs);
    for (ChartParts &parts : m_charts)
        updateYAxis(parts);
    updateDescriptions();
}

void LiveChartsView::updatePartnerLines(qint64 nowMs)
{
    QList<qint64> ids = m_feed.series().partnerIds();
    if (ids.size() > kMaxPartnerSeries)
        ids.resize(kMaxPartnerSeries);

    bool changed = false;
    for (auto it = m_partners.begin(); it != m_partners.end();) {
        if (ids.contains(it.key())) {
            ++it;
            continue;
        }
        m_charts[PartnerLatencyChart].chart->removeSeries(it->series);
        delete it->series;
        it = m_partners.erase(it);
        changed = true;
    }
    QList<qint64> added;
    for (const qint64 id : std::as_const(ids)) {
        if (!m_partners.contains(id))
            added.append(id);
    }
    if (added.isEmpty())
        return;

    // Names come with the statistics; read only when a partner appears.
    QHash<qint64, QString> names;
    for (const PartnerLiveSnapshot &partner : m_feed.partners().snapshot(nowMs))
        names.insert(partner.partnerId, partner.name);
    for (const qint64 id : std::as_const(added)) {
        QList<bool> used(int(kPartnerColours.size() * kPartnerPenStyles.size()), false);
        for (const PartnerLine &line : std::as_const(m_partners))
            used[line.style % used.size()] = true;
        PartnerLine line;
        line.style = int(std::find(used.cbegin(), used.cend(), false) - used.cbegin());
        const QString name = names.value(id);
        line.series = addLine(m_charts[PartnerLatencyChart], QStringLiteral("partner%1").arg(id),
                              name.isEmpty() ? tr("Partner %1").arg(id) : name, tr("ms"));
        m_partners.insert(id, line);
        changed = true;
    }
    if (changed)
        styleLines();
}

void LiveChartsView::updateTimeAxes(qint64 nowMs)
{
    // The newest point is the last complete period; the axis ends there and spans the window.
    const qint64 periodMs = qint64(MonitorSeries::periodSeconds(m_window)) * 1000;
    const qint64 newestMs = (floorDiv(nowMs, periodMs) - 1) * periodMs;
    const QDateTime end = QDateTime::fromMSecsSinceEpoch(newestMs);
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(newestMs - windowMs(m_window));
    // Six ticks: a minute apart over 5 minutes, 6 over 30, 12 over 60.
    const QString format = m_window == Window::Last5Minutes ? QStringLiteral("HH:mm:ss")
                                                            : QStringLiteral("HH:mm");
    for (ChartParts &parts : m_charts) {
        if (parts.x->format() != format)
            parts.x->setFormat(format);
        if (parts.x->min() != start || parts.x->max() != end)
            parts.x->setRange(start, end);
    }
}

void LiveChartsView::updateYAxis(ChartParts &parts)
{
    double highest = 0;
    for (const QAbstractSeries *series : parts.chart->series()) {
        if (const auto *line = qobject_cast<const QXYSeries *>(series))
            highest = std::max(highest, highestY(line->points()));
    }
    // 5% headroom: a steady line does not run along the top edge.
    const NiceRange range = niceRange(std::max(parts.yFloor, highest * 1.05));
    if (parts.y->max() != range.top || parts.y->min() != 0)
        parts.y->setRange(0, range.top);
    if (parts.y->tickCount() != range.tickCount)
        parts.y->setTickCount(range.tickCount);
    const QString format = QStringLiteral("%.%1f").arg(range.decimals);
    if (parts.y->labelFormat() != format)
        parts.y->setLabelFormat(format);
}

void LiveChartsView::updateDescriptions()
{
    // What a screen reader says about each chart: the newest values.
    const auto latest = [](const QLineSeries *series) {
        return series->count() == 0 ? tr("no data") : QString::number(series->points().last().y(),
                                                                      'f', 1);
    };
    const auto describe = [](QChartView *view, const QString &text) {
        if (view->accessibleDescription() != text)
            view->setAccessibleDescription(text);
    };
    describe(m_charts[EventsChart].view, tr("Latest: %1 events per second").arg(latest(m_events)));
    QStringList outcomes;
    for (const QLineSeries *series : m_outcomes)
        outcomes.append(tr("%1 %2").arg(series->name(), latest(series)));
    describe(m_charts[OutcomesChart].view,
             tr("Latest calls per second: %1").arg(outcomes.join(QStringLiteral(", "))));
    describe(m_charts[LatencyChart].view, tr("Latest: p50 %1 ms, p99 %2 ms")
                                              .arg(latest(m_latencyP50), latest(m_latencyP99)));
    QStringList partners;
    for (const PartnerLine &line : std::as_const(m_partners))
        partners.append(tr("%1 %2 ms").arg(line.series->name(), latest(line.series)));
    describe(m_charts[PartnerLatencyChart].view,
             partners.isEmpty() ? tr("No partner called yet")
                                : tr("Latest p99: %1").arg(partners.join(QStringLiteral(", "))));
}

void LiveChartsView::applyTheme()
{
    m_styling = true;
    const QPalette colours = palette();
    // Qt 6.4 has no colour scheme hint: a dark window background means a dark theme.
    const bool dark = colours.color(QPalette::Window).lightness() < 128;
    const QColor text = colours.color(QPalette::WindowText);
    QColor grid = colours.color(QPalette::Mid);
    grid.setAlpha(110);
    QFont titleFont = font();
    titleFont.setBold(true);
    QFont labelFont = font();
    labelFont.setPointSizeF(std::max(7.0, font().pointSizeF() * 0.9));
    for (ChartParts &parts : m_charts) {
        parts.chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
        parts.chart->setBackgroundBrush(colours.brush(QPalette::Base));
        parts.chart->setBackgroundPen(QPen(colours.color(QPalette::Mid), 1));
        parts.chart->setBackgroundRoundness(0);
        parts.chart->setTitleBrush(text);
        parts.chart->setTitleFont(titleFont);
        parts.chart->legend()->setLabelColor(text);
        parts.chart->legend()->setFont(labelFont);
        for (QAbstractAxis *axis : {static_cast<QAbstractAxis *>(parts.x),
                                    static_cast<QAbstractAxis *>(parts.y)}) {
            axis->setLabelsBrush(text);
            axis->setLabelsFont(labelFont);
            axis->setGridLineColor(grid);
            axis->setLinePenColor(colours.color(QPalette::Mid));
        }
    }
    styleLines();
    m_styling = false;
}

void LiveChartsView::styleLines()
{
    const auto pen = [](const QColor &colour, Qt::PenStyle style) {
        QPen made(colour, kLineWidth, style, Qt::RoundCap, Qt::RoundJoin);
        made.setCosmetic(true);
        return made;
    };
    m_events->setPen(pen(palette().color(QPalette::Highlight), Qt::SolidLine));
    for (size_t i = 0; i < m_outcomes.size(); ++i) {
        const OutcomeGroup &group = outcomeGroups()[i];
        m_outcomes[i]->setPen(pen(TransferColumns::outcomeColour(group.outcomes.first()),
                                  group.penStyle));
    }
    m_latencyP50->setPen(pen(QColor(kP50Colour), Qt::DashLine));
    m_latencyP99->setPen(pen(QColor(kP99Colour), Qt::SolidLine));
    for (const PartnerLine &line : std::as_const(m_partners)) {
        // 7 colours and 4 styles: the first 28 partners differ in both.
        const auto colour = kPartnerColours[size_t(line.style) % kPartnerColours.size()];
        const auto style = kPartnerPenStyles[size_t(line.style) % kPartnerPenStyles.size()];
        line.series->setPen(pen(QColor(colour), style));
    }
}

} // namespace Dcs
