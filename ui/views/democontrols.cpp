#include "democontrols.h"

#include "dcs/trafficgenerator.h"
#include "demoenvironment.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

#include <cmath>

namespace Dcs {

namespace {
// Below this the slider's low end is linear, so that small rates (1, 2, 5/s) are reachable.
constexpr double kLinearUpTo = 10;
constexpr int kLinearSteps = 10;
} // namespace

double DemoTrafficControl::rateForPosition(int position)
{
    position = qBound(0, position, kSliderSteps);
    if (position <= kLinearSteps)
        return kLinearUpTo * position / kLinearSteps;
    const double fraction = double(position - kLinearSteps) / (kSliderSteps - kLinearSteps);
    const double rate = kLinearUpTo * std::pow(TrafficGenerator::kMaxRate / kLinearUpTo, fraction);
    // Round to three significant digits: 12.6/s, 251/s, 5000/s read better than 12.589/s, and
    // neighbouring positions stay distinct.
    const double magnitude = std::pow(10.0, std::floor(std::log10(rate)) - 2);
    return qMin(TrafficGenerator::kMaxRate, std::round(rate / magnitude) * magnitude);
}

int DemoTrafficControl::positionForRate(double rate)
{
    if (rate <= kLinearUpTo)
        return qBound(0, int(std::lround(rate * kLinearSteps / kLinearUpTo)), kLinearSteps);
    const double fraction = std::log(rate / kLinearUpTo)
                            / std::log(TrafficGenerator::kMaxRate / kLinearUpTo);
    return qBound(kLinearSteps,
                  kLinearSteps + int(std::lround(fraction * (kSliderSteps - kLinearSteps))),
                  kSliderSteps);
}

DemoTrafficControl::DemoTrafficControl(DemoEnvironment &demo, QWidget *parent)
    : QWidget(parent)
    , m_demo(demo)
{
    setObjectName(QStringLiteral("demoTraffic"));
    auto *title = new QLabel(tr("Demo traffic:"));
    m_slider = new QSlider(Qt::Horizontal);
    m_slider->setObjectName(QStringLiteral("demoRate"));
    m_slider->setAccessibleName(tr("Demo traffic rate"));
    m_slider->setToolTip(tr("How many /event calls per second the demo's visitors make "
                            "(0 to %1)")
                             .arg(TrafficGenerator::kMaxRate));
    m_slider->setRange(0, kSliderSteps);
    m_slider->setFixedWidth(140);
    m_slider->setValue(positionForRate(demo.traffic().rate()));
    m_rate = new QLabel;
    m_rate->setObjectName(QStringLiteral("demoRateLabel"));
    m_rate->setMinimumWidth(fontMetrics().horizontalAdvance(tr("5000/s · 5000 answered/s")));
    m_pause = new QToolButton;
    m_pause->setObjectName(QStringLiteral("demoPause"));
    m_pause->setCheckable(true);
    m_pause->setChecked(demo.traffic().isPaused());
    m_pause->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    m_pause->setAccessibleName(tr("Pause demo traffic"));
    m_pause->setToolTip(tr("Pause or resume the demo's visitors"));
    m_pause->setAutoRaise(true);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title);
    layout->addWidget(m_slider);
    layout->addWidget(m_pause);
    layout->addWidget(m_rate);

    connect(m_slider, &QSlider::valueChanged, this, [this](int position) {
        m_demo.traffic().setRate(rateForPosition(position));
        refresh();
    });
    connect(m_pause, &QToolButton::toggled, this, [this](bool paused) {
        m_demo.traffic().setPaused(paused);
        m_pause->setIcon(style()->standardIcon(paused ? QStyle::SP_MediaPlay
                                                      : QStyle::SP_MediaPause));
        m_pause->setAccessibleName(paused ? tr("Resume demo traffic")
                                          : tr("Pause demo traffic"));
        refresh();
    });
    m_lastAnswered = demo.traffic().counters().answered;
    m_timer = new QTimer(this);
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &DemoTrafficControl::refresh);
    m_timer->start();
    refresh();
}

void DemoTrafficControl::refresh()
{
    const TrafficGenerator::Counters counters = m_demo.traffic().counters();
    const quint64 answered = counters.answered - qMin(counters.answered, m_lastAnswered);
    m_lastAnswered = counters.answered;
    const QString rate = m_demo.traffic().isPaused()
                             ? tr("paused")
                             : tr("%1/s").arg(m_demo.traffic().rate(), 0, 'g', 4);
    // The timer ticks every second, so the answered count of the last tick is a rate.
    m_rate->setText(tr("%1 · %2 answered/s").arg(rate).arg(answered));
    m_rate->setToolTip(tr("Since the demo started: %1 sent, %2 answered, %3 errors, %4 not sent "
                          "(every connection busy), %5 connections open")
                           .arg(counters.sent)
                           .arg(counters.answered)
                           .arg(counters.errors)
                           .arg(counters.notSent)
                           .arg(counters.openConnections));
}

DemoOfferBanner::DemoOfferBanner(QWidget *parent)
    : QFrame(parent)
{
    setObjectName(QStringLiteral("demoOffer"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::AlternateBase);
    auto *text = new QLabel(
        tr("<b>This workspace is empty.</b> Start the demo to see the pipeline at work: three "
           "simulated data partners, a few traits and segments, and visitors calling the DCS."));
    text->setWordWrap(true);
    const auto makeButton = [this](const QString &name, const QString &label,
                                   const QString &tip) {
        auto *button = new QToolButton;
        button->setObjectName(name);
        button->setText(label);
        button->setToolTip(tip);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setAutoRaise(false);
        return button;
    };
    m_start = makeButton(QStringLiteral("startDemo"), tr("&Start the demo"),
                         tr("Import the demo workspace and start its partners and traffic"));
    m_later = makeButton(QStringLiteral("demoLater"), tr("Not now"),
                         tr("Hide this until the next start"));
    m_never = makeButton(QStringLiteral("demoNever"), tr("Don't ask again"),
                         tr("Never offer the demo again (Help ▸ Start the demo still does)"));
    auto *layout = new QHBoxLayout(this);
    layout->addWidget(text, 1);
    layout->addWidget(m_start);
    layout->addWidget(m_later);
    layout->addWidget(m_never);
    connect(m_start, &QToolButton::clicked, this, &DemoOfferBanner::startRequested);
    connect(m_later, &QToolButton::clicked, this, [this] { Q_EMIT dismissed(false); });
    connect(m_never, &QToolButton::clicked, this, [this] { Q_EMIT dismissed(true); });
}

} // namespace Dcs
