// CircuitBreaker on a controlled clock: when it opens, how it probes, what closes it, what an
// admin's override does, and that every change is told once with its reason.
#include "transfer/circuitbreaker.h"

#include <QList>
#include <QTest>

using namespace Dcs;
using Breaker = CircuitBreaker;
using Decision = CircuitBreaker::Decision;
using State = CircuitBreaker::State;
using Override = CircuitBreaker::Override;

namespace {

constexpr qint64 kStartMs = 1'763'820'000'000; // a wall-clock instant, well inside a second

// `calls` results at `nowMs`: the failures last, since a failure is what opens the breaker.
void recordRun(Breaker &breaker, int calls, int failures, qint64 nowMs)
{
    for (int i = 0; i < calls - failures; ++i)
        breaker.record(false, false, nowMs);
    for (int i = 0; i < failures; ++i)
        breaker.record(true, false, nowMs);
}

// Opens a default breaker (20 calls, all failing) at `nowMs`.
void open(Breaker &breaker, qint64 nowMs)
{
    recordRun(breaker, 20, 20, nowMs);
}

// Asks until the breaker lets a probe through; returns how many refusals came before it.
int untilProbe(Breaker &breaker, qint64 nowMs)
{
    for (int refused = 0; refused < 100; ++refused) {
        const Decision decision = breaker.decide(nowMs);
        if (decision == Decision::Probe)
            return refused;
        if (decision != Decision::Refuse)
            return -1;
    }
    return -1;
}

} // namespace

class tst_CircuitBreaker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void startsClosed()
    {
        Breaker breaker;
        const Breaker::Status status = breaker.status();
        QCOMPARE(status.state, State::Closed);
        QCOMPARE(status.override, Override::Automatic);
        QVERIFY(!status.reason.isEmpty());
        for (int i = 0; i < 100; ++i)
            QCOMPARE(breaker.decide(kStartMs), Decision::Call);
    }

    void opensAtTheRatio_data()
    {
        QTest::addColumn<int>("calls");
        QTest::addColumn<int>("failures");
        QTest::addColumn<bool>("opens");
        // Defaults: at least 20 calls in the window, opens at half of them failing.
        QTest::newRow("19 calls, all failing: under minCalls") << 19 << 19 << false;
        QTest::newRow("20 calls, 9 failing") << 20 << 9 << false;
        QTest::newRow("20 calls, 10 failing: exactly the ratio") << 20 << 10 << true;
        QTest::newRow("20 calls, all failing") << 20 << 20 << true;
        QTest::newRow("100 calls, 49 failing") << 100 << 49 << false;
        QTest::newRow("100 calls, 50 failing") << 100 << 50 << true;
        QTest::newRow("1000 calls, none failing") << 1000 << 0 << false;
    }
    void opensAtTheRatio()
    {
        QFETCH(int, calls);
        QFETCH(int, failures);
        QFETCH(bool, opens);
        Breaker breaker;
        recordRun(breaker, calls, failures, kStartMs);
        const Breaker::Status status = breaker.status();
        QCOMPARE(status.state, opens ? State::Open : State::Closed);
        if (opens) {
            // The reason names the counts that opened it and the probing share.
            QCOMPARE(status.reason,
                     QStringLiteral("opened: %1 of %2 calls failed in the last 10 s; probing "
                                    "with 1 call in 10")
                         .arg(failures)
                         .arg(calls));
            QCOMPARE(status.sinceMs, kStartMs);
            QCOMPARE(breaker.decide(kStartMs), Decision::Refuse);
        } else {
            QCOMPARE(breaker.decide(kStartMs), Decision::Call);
        }
    }

    // Failures spread over seconds count while inside the window, and are forgotten after it.
    void windowSlides_data()
    {
        QTest::addColumn<qint64>("secondBatchAfterMs");
        QTest::addColumn<bool>("opens");
        QTest::newRow("same second") << qint64(0) << true;
        QTest::newRow("9 s later: still in the window") << qint64(9'000) << true;
        QTest::newRow("10 s later: the first batch has left it") << qint64(10'000) << false;
        QTest::newRow("a minute later") << qint64(60'000) << false;
        QTest::newRow("an hour later") << qint64(3'600'000) << false;
    }
    void windowSlides()
    {
        QFETCH(qint64, secondBatchAfterMs);
        QFETCH(bool, opens);
        Breaker breaker;
        const qint64 first = kStartMs - kStartMs % 1000; // the start of a second
        recordRun(breaker, 15, 15, first);
        QCOMPARE(breaker.status().state, State::Closed);
        recordRun(breaker, 5, 5, first + secondBatchAfterMs);
        QCOMPARE(breaker.status().state, opens ? State::Open : State::Closed);
    }

    void whileOpenOneCallInTenIsAProbe()
    {
        Breaker breaker;
        open(breaker, kStartMs);
        int probes = 0;
        for (int i = 1; i <= 200; ++i) {
            const Decision decision = breaker.decide(kStartMs + i);
            QCOMPARE(decision, i % 10 == 0 ? Decision::Probe : Decision::Refuse);
            probes += decision == Decision::Probe ? 1 : 0;
        }
        QCOMPARE(probes, 20);
    }

    void threeSuccessfulProbesCloseIt()
    {
        Breaker breaker;
        open(breaker, kStartMs);
        for (int probe = 1; probe <= 3; ++probe) {
            QCOMPARE(breaker.status().state, State::Open);
            QCOMPARE(untilProbe(breaker, kStartMs), 9);
            breaker.record(false, true, kStartMs + 500);
        }
        const Breaker::Status status = breaker.status();
        QCOMPARE(status.state, State::Closed);
        QCOMPARE(status.reason, QStringLiteral("closed: 3 probes in a row succeeded"));
        QCOMPARE(status.sinceMs, kStartMs + 500);
        QCOMPARE(breaker.decide(kStartMs + 600), Decision::Call);
        // A fresh window: one more failure does not reopen it at once.
        breaker.record(true, false, kStartMs + 700);
        QCOMPARE(breaker.status().state, State::Closed);
    }

    void aFailedProbeResetsTheRun()
    {
        Breaker breaker;
        open(breaker, kStartMs);
        const QList<bool> probeFailed = {false, false, true, false, false};
        for (const bool failed : probeFailed) {
            QCOMPARE(untilProbe(breaker, kStartMs), 9);
            breaker.record(failed, true, kStartMs);
        }
        QCOMPARE(breaker.status().state, State::Open); // 2 successes since the failure
        QCOMPARE(untilProbe(breaker, kStartMs), 9);
        breaker.record(false, true, kStartMs);
        QCOMPARE(breaker.status().state, State::Closed);
    }

    // Calls let through before it opened end while it is open: they are not probes.
    void lateNonProbeResultsDoNotCloseIt()
    {
        Breaker breaker;
        open(breaker, kStartMs);
        recordRun(breaker, 50, 0, kStartMs);
        QCOMPARE(breaker.status().state, State::Open);
    }

    void forcedOpenRefusesEverythingEvenProbes()
    {
        Breaker breaker;
        breaker.setOverride(Override::ForcedOpen, kStartMs);
        const Breaker::Status status = breaker.status();
        QCOMPARE(status.state, State::Open);
        QCOMPARE(status.override, Override::ForcedOpen);
        QVERIFY2(status.reason.contains(QStringLiteral("forced open")), qPrintable(status.reason));
        for (int i = 0; i < 100; ++i)
            QCOMPARE(breaker.decide(kStartMs + i), Decision::Refuse);
        recordRun(breaker, 10, 0, kStartMs);
        breaker.record(false, true, kStartMs); // even a "probe" success changes nothing
        QCOMPARE(breaker.status().state, State::Open);
        QCOMPARE(breaker.status().override, Override::ForcedOpen);
    }

    void forcedClosedAlwaysCallsAndNeverOpens()
    {
        Breaker breaker;
        open(breaker, kStartMs);
        breaker.setOverride(Override::ForcedClosed, kStartMs + 1);
        QCOMPARE(breaker.status().state, State::Closed);
        QCOMPARE(breaker.status().override, Override::ForcedClosed);
        for (int i = 0; i < 100; ++i) {
            QCOMPARE(breaker.decide(kStartMs + 2), Decision::Call);
            breaker.record(true, false, kStartMs + 2);
        }
        QCOMPARE(breaker.status().state, State::Closed);
    }

    void backToAutomatic()
    {
        Breaker breaker;
        recordRun(breaker, 15, 15, kStartMs); // failures counted under the automatic rule
        breaker.setOverride(Override::ForcedOpen, kStartMs + 1);
        breaker.setOverride(Override::Automatic, kStartMs + 2);
        Breaker::Status status = breaker.status();
        QCOMPARE(status.state, State::Closed);
        QCOMPARE(status.override, Override::Automatic);
        QCOMPARE(status.reason, QStringLiteral("closed: handed back to the automatic rule"));
        QCOMPARE(status.sinceMs, kStartMs + 2);
        QCOMPARE(breaker.decide(kStartMs + 3), Decision::Call);
        // The window starts afresh: the earlier 15 failures plus 5 do not open it...
        recordRun(breaker, 5, 5, kStartMs + 3);
        QCOMPARE(breaker.status().state, State::Closed);
        // ...20 new ones do: the automatic rule works again.
        recordRun(breaker, 15, 15, kStartMs + 4);
        QCOMPARE(breaker.status().state, State::Open);
    }

    void changeListenerOncePerChange()
    {
        Breaker breaker;
        QList<Breaker::Status> changes;
        breaker.setChangeListener([&](const Breaker::Status &status) {
            changes.append(status);
            // Runs outside the breaker's lock: reading it back must not deadlock.
            QCOMPARE(breaker.status().state, status.state);
        });
        recordRun(breaker, 19, 19, kStartMs);
        QCOMPARE(changes.size(), 0);
        breaker.record(true, false, kStartMs);          // opens
        breaker.record(true, false, kStartMs);          // still open: no change
        for (int probe = 0; probe < 3; ++probe) {       // closes
            QCOMPARE(untilProbe(breaker, kStartMs + 1), 9);
            breaker.record(false, true, kStartMs + 1);
        }
        breaker.setOverride(Override::ForcedOpen, kStartMs + 2);
        breaker.setOverride(Override::ForcedOpen, kStartMs + 3); // the same: no change
        breaker.setOverride(Override::ForcedClosed, kStartMs + 4);
        breaker.setOverride(Override::Automatic, kStartMs + 5);

        QCOMPARE(changes.size(), 5);
        const QList<State> states = {State::Open, State::Closed, State::Open, State::Closed,
                                     State::Closed};
        const QList<Override> overrides = {Override::Automatic, Override::Automatic,
                                           Override::ForcedOpen, Override::ForcedClosed,
                                           Override::Automatic};
        const QList<qint64> since = {kStartMs, kStartMs + 1, kStartMs + 2, kStartMs + 4,
                                     kStartMs + 5};
        for (int i = 0; i < changes.size(); ++i) {
            QCOMPARE(changes[i].state, states[i]);
            QCOMPARE(changes[i].override, overrides[i]);
            QCOMPARE(changes[i].sinceMs, since[i]);
            QVERIFY(!changes[i].reason.isEmpty());
        }
        QVERIFY(changes[0].reason.startsWith(QStringLiteral("opened: 20 of 20 calls failed")));
    }

    void settingsAreBounded()
    {
        // probeEvery is capped at 10 (the spec's "at least 1 in 10"), and at least 1.
        Breaker::Settings settings;
        settings.probeEvery = 50;
        settings.minCalls = 1;
        settings.probesToClose = 1;
        Breaker rare(settings);
        rare.record(true, false, kStartMs);
        QCOMPARE(rare.status().state, State::Open);
        QCOMPARE(untilProbe(rare, kStartMs), 9);
        rare.record(false, true, kStartMs);
        QCOMPARE(rare.status().state, State::Closed);

        settings.probeEvery = 0;
        Breaker every(settings);
        every.record(true, false, kStartMs);
        QCOMPARE(every.decide(kStartMs), Decision::Probe);
        QCOMPARE(every.decide(kStartMs), Decision::Probe);
    }

    void names()
    {
        QCOMPARE(QString(Breaker::stateName(State::Closed)), QStringLiteral("closed"));
        QCOMPARE(QString(Breaker::stateName(State::Open)), QStringLiteral("open"));
        QCOMPARE(QString(Breaker::overrideName(Override::Automatic)),
                 QStringLiteral("automatic"));
        QCOMPARE(QString(Breaker::overrideName(Override::ForcedOpen)),
                 QStringLiteral("forced-open"));
        QCOMPARE(QString(Breaker::overrideName(Override::ForcedClosed)),
                 QStringLiteral("forced-closed"));
    }
};

QTEST_GUILESS_MAIN(tst_CircuitBreaker)
#include "tst_circuitbreaker.moc"
