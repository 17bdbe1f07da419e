#include "common/wakecoalescer.h"

#include <QStringList>
#include <QTest>

#include <thread>

using namespace Dcs;

class tst_WakeCoalescer final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void outsideAScopeTheCallerWakes()
    {
        int woken = 0;
        QVERIFY(!WakeCoalescer::defer(this, [&] { ++woken; }));
        QCOMPARE(woken, 0); // defer() never runs it itself
    }

    void oneWakePerConsumerAtTheScopeEnd()
    {
        QStringList woken;
        int first = 0;
        int second = 0;
        {
            const WakeCoalescer::Scope scope;
            for (int i = 0; i < 5; ++i) {
                QVERIFY(WakeCoalescer::defer(&first, [&] { woken << QStringLiteral("first"); }));
                QVERIFY(WakeCoalescer::defer(&second, [&] { woken << QStringLiteral("second"); }));
            }
            QVERIFY(woken.isEmpty());
        }
        QCOMPARE(woken, QStringList({QStringLiteral("first"), QStringLiteral("second")}));
        QVERIFY(!WakeCoalescer::defer(&first, [] {})); // the scope is over
    }

    void nestedScopesWakeAtTheirOwnEnd()
    {
        QStringList woken;
        int outerConsumer = 0;
        int innerConsumer = 0;
        {
            const WakeCoalescer::Scope outer;
            WakeCoalescer::defer(&outerConsumer, [&] { woken << QStringLiteral("outer"); });
            {
                const WakeCoalescer::Scope inner;
                WakeCoalescer::defer(&innerConsumer, [&] { woken << QStringLiteral("inner"); });
            }
            QCOMPARE(woken, QStringList({QStringLiteral("inner")}));
        }
        QCOMPARE(woken, QStringList({QStringLiteral("inner"), QStringLiteral("outer")}));
    }

    void aScopeBelongsToItsThread()
    {
        const WakeCoalescer::Scope scope;
        bool deferredElsewhere = true;
        std::thread other([&] { deferredElsewhere = WakeCoalescer::defer(this, [] {}); });
        other.join();
        QVERIFY(!deferredElsewhere);
    }
};

QTEST_GUILESS_MAIN(tst_WakeCoalescer)
#include "tst_wakecoalescer.moc"
