#pragma once

#include <QFrame>
#include <QWidget>

class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace Dcs {

class DemoEnvironment;

// The running demo's traffic in the status bar: how fast the generated visitors call the DCS
// (a slider, 0 to TrafficGenerator::kMaxRate calls/s on a logarithmic scale), pause/resume,
// and what they achieved (answered, errors, not sent) refreshed every second.
class DemoTrafficControl final : public QWidget
{
    Q_OBJECT
public:
    explicit DemoTrafficControl(DemoEnvironment &demo, QWidget *parent = nullptr);

    QSlider *rateSlider() const { return m_slider; }
    QToolButton *pauseButton() const { return m_pause; }
    // Slider position ↔ calls per second: position 0 is 0/s, the top is kMaxRate.
    static double rateForPosition(int position);
    static int positionForRate(double rate);
    static constexpr int kSliderSteps = 100;

private:
    void refresh();

    DemoEnvironment &m_demo;
    QSlider *m_slider = nullptr;
    QLabel *m_rate = nullptr;
    QToolButton *m_pause = nullptr;
    QTimer *m_timer = nullptr;
    quint64 m_lastAnswered = 0;
};

// Shown at the top of the window when the database has no partners, traits or segments yet and
// the user has not declined before: offers to start the demo workspace, so that a first run
// shows a working pipeline rather than empty tables. Not modal: the window stays usable.
class DemoOfferBanner final : public QFrame
{
    Q_OBJECT
public:
    explicit DemoOfferBanner(QWidget *parent = nullptr);

    QToolButton *startButton() const { return m_start; }
    QToolButton *laterButton() const { return m_later; }
    QToolButton *neverButton() const { return m_never; }

Q_SIGNALS:
    void startRequested();
    void dismissed(bool forever);

private:
    QToolButton *m_start = nullptr;
    QToolButton *m_later = nullptr;
    QToolButton *m_never = nullptr;
};

} // namespace Dcs
