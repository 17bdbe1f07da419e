// The partner health strip on a real DcsServer (SQLite file, loopback listener) whose engine runs
// one live partner served by an in-process PartnerSimulator: the admin clicks "Force open", the
// engine's breaker is forced open, the strip shows it and the next /event does not call the
// partner; "Automatic" hands it back and the partner is called again.
#include "common/appidentity.h"
#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "monitor/monitorfeed.h"
#include "monitor/partnerhealthmodel.h"
#include "monitor/partnerhealthstrip.h"
#include "partnersimulator.h"
#include "storage/partnerrepository.h"
#include "transfer/transferengine.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QHeaderView>
#include <QMenu>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolBar>

#include <memory>

using namespace Dcs;

namespace {

constexpr int kWaitMs = 10000;

} // namespace

class tst_PartnerHealthStrip : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<PartnerSimulator> m_simulator;
    std::unique_ptr<DcsServer> m_server;
    QNetworkAccessManager m_network;
    qint64 m_partnerId = 0;
    int m_databases = 0;

    // One /event through the real listener; the partner is called (or not) on the way.
    bool callEvent()
    {
        QUrl url(QStringLiteral("http://127.0.0.1/event?d_rtbd=json&c_section=sports"));
        url.setPort(m_server->listener().port());
        std::unique_ptr<QNetworkReply> reply(m_network.get(QNetworkRequest(url)));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        return finished.wait(kWaitMs) && reply->error() == QNetworkReply::NoError;
    }

    static QString cell(const PartnerHealthStrip &strip, int column, int role = Qt::DisplayRole)
    {
        const QAbstractItemModel *model = strip.view()->model();
        return model->index(0, column).data(role).toString();
    }

    static void clickRow(PartnerHealthStrip &strip, int row)
    {
        QTableView *view = strip.view();
        const QRect rect = view->visualRect(view->model()->index(row, PartnerHealthModel::Name));
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rect.center());
    }

    static QWidget *buttonOf(PartnerHealthStrip &strip, QAction *action)
    {
        auto *toolBar = strip.findChild<QToolBar *>(QStringLiteral("partnerHealthToolBar"));
        return toolBar ? toolBar->widgetForAction(action) : nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        setApplicationIdentity();
        QStandardPaths::setTestModeEnabled(true);
        AppSettings().setPartnerHealthHeaderState({}); // the default columns
        QVERIFY(m_dir.isValid());
        m_network.setProxy(QNetworkProxy::NoProxy);
        SimulatorConfig config;
        config.latency = LatencyModel(); // answers at once
        m_simulator = std::make_unique<PartnerSimulator>(config);
        QVERIFY2(m_simulator->listen(), qPrintable(m_simulator->errorString()));
    }

    void init()
    {
        m_server = std::make_unique<DcsServer>(nullptr, 1);
        QString error;
        QVERIFY2(m_server->openStorage(
                     m_dir.filePath(QStringLiteral("strip%1.sqlite").arg(++m_databases)), &error),
                 qPrintable(error));
        QVERIFY2(m_server->startListener(QHostAddress::LocalHost, 0, &error), qPrintable(error));
        Partner acme;
        acme.name = QStringLiteral("Acme");
        acme.dpid = 1955;
        acme.endpoint = QStringLiteral("http://127.0.0.1:%1/lookup").arg(m_simulator->port());
        acme.mode = Partner::Mode::Live;
        acme.timeoutMs = 80;
        const WriteResult saved = PartnerRepository(*m_server->storage())
                                      .save(acme, QByteArrayLiteral("s3cret"));
        QVERIFY2(saved.ok, qPrintable(saved.error));
        m_partnerId = acme.id;
        m_server->reloadWorkspace();
        QCOMPARE(m_server->transferEngine()->activePartners().size(), 1);
    }

    void cleanup() { m_server.reset(); }

    void forcingTheBreakerOpenStopsTheCallsAndShows()
    {
        TransferEngine &engine = *m_server->transferEngine();
        PartnerHealthStrip strip(m_server->monitorFeed(), engine);
        QAbstractItemModelTester modelTester(strip.model());
        QAbstractItemModelTester viewModelTester(strip.view()->model());
        QSignalSpy messages(&strip, &PartnerHealthStrip::statusMessage);
        strip.resize(900, 200);
        strip.show();
        QVERIFY(QTest::qWaitForWindowExposed(&strip));
        QVERIFY(strip.isPolling());

        // Active, never called yet: shown all the same, its breaker closed.
        QCOMPARE(strip.view()->model()->rowCount(), 1);
        QCOMPARE(cell(strip, PartnerHealthModel::Name), QStringLiteral("Acme"));
        QCOMPARE(cell(strip, PartnerHealthModel::Breaker), QStringLiteral("Closed"));
        QVERIFY(cell(strip, PartnerHealthModel::Breaker, Qt::ToolTipRole)
                    .contains(QStringLiteral("no failures yet")));
        QWidget *forceOpen = buttonOf(strip, strip.forceOpenAction());
        QVERIFY(forceOpen);
        QVERIFY(!forceOpen->accessibleName().isEmpty());
        QVERIFY(!forceOpen->isEnabled()); // nothing selected

        clickRow(strip, 0);
        QCOMPARE(strip.currentPartnerId(), m_partnerId);
        QVERIFY(forceOpen->isEnabled());
        QVERIFY(strip.automaticAction()->isChecked());

        QTest::mouseClick(forceOpen, Qt::LeftButton);
        const std::optional<CircuitBreaker::Status> status = engine.breakerStatus(m_partnerId);
        QVERIFY(status);
        QCOMPARE(status->override, CircuitBreaker::Override::ForcedOpen);
        QCOMPARE(status->state, CircuitBreaker::State::Open);
        QCOMPARE(cell(strip, PartnerHealthModel::Breaker), QStringLiteral("Forced open"));
        QVERIFY(cell(strip, PartnerHealthModel::Breaker, Qt::ToolTipRole)
                    .contains(status->reason));
        QVERIFY(strip.forceOpenAction()->isChecked());
        QVERIFY(!messages.isEmpty());
        QVERIFY2(messages.last().first().toString().contains(QStringLiteral("forced open")),
                 qPrintable(messages.last().first().toString()));
        // The monitor feed heard it too (through the engine's breaker observer).
        const QList<PartnerLiveSnapshot> snapshot =
            m_server->monitorFeed().partners().snapshot(MonitorFeed::currentTimeMs());
        QCOMPARE(snapshot.size(), 1);
        QVERIFY(snapshot.first().breakerForced);
        QCOMPARE(snapshot.first().breakerState, PartnerBreakerState::Open);

        // The next visitor's call does not reach the partner: "not called" counts it.
        QVERIFY(callEvent());
        QTRY_COMPARE_WITH_TIMEOUT(cell(strip, PartnerHealthModel::NotCalled),
                                  QStringLiteral("1"), kWaitMs);
        QVERIFY(cell(strip, PartnerHealthModel::NotCalled, Qt::ToolTipRole)
                    .contains(QStringLiteral("Circuit open: 1")));
        QCOMPARE(cell(strip, PartnerHealthModel::Success), QStringLiteral("—"));

        // Back to automatic: the partner is called again, and answers.
        QTest::mouseClick(buttonOf(strip, strip.automaticAction()), Qt::LeftButton);
        QCOMPARE(engine.breakerStatus(m_partnerId)->override,
                 CircuitBreaker::Override::Automatic);
        QCOMPARE(cell(strip, PartnerHealthModel::Breaker), QStringLiteral("Closed"));
        QVERIFY(callEvent());
        QTRY_COMPARE_WITH_TIMEOUT(cell(strip, PartnerHealthModel::Success),
                                  QStringLiteral("100.0 %"), kWaitMs);
        QCOMPARE(cell(strip, PartnerHealthModel::NotCalled), QStringLiteral("1"));
        QVERIFY(cell(strip, PartnerHealthModel::P99) != QStringLiteral("—"));

        // Forced closed from the keyboard's point of view: the action itself.
        strip.forceClosedAction()->trigger();
        QCOMPARE(engine.breakerStatus(m_partnerId)->override,
                 CircuitBreaker::Override::ForcedClosed);
        QCOMPARE(cell(strip, PartnerHealthModel::Breaker), QStringLiteral("Forced closed"));
    }

    void contextMenuOffersTheSameActions()
    {
        PartnerHealthStrip strip(m_server->monitorFeed(), *m_server->transferEngine());
        strip.resize(900, 200);
        strip.show();
        QVERIFY(QTest::qWaitForWindowExposed(&strip));
        QTableView *view = strip.view();
        const QPoint position =
            view->visualRect(view->model()->index(0, PartnerHealthModel::Breaker)).center();

        QStringList offered;
        bool forceOpenEnabled = false;
        QTimer::singleShot(0, this, [&] {
            auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
            if (!menu)
                return;
            for (QAction *action : menu->actions()) {
                if (!action->isSeparator())
                    offered.append(action->text());
            }
            forceOpenEnabled = strip.forceOpenAction()->isEnabled();
            menu->close();
        });
        QContextMenuEvent event(QContextMenuEvent::Mouse, position,
                                view->viewport()->mapToGlobal(position));
        QApplication::sendEvent(view->viewport(), &event);
        QCOMPARE(offered, (QStringList{strip.forceOpenAction()->text(),
                                       strip.forceClosedAction()->text(),
                                       strip.automaticAction()->text(),
                                       strip.showTransfersAction()->text(),
                                       QStringLiteral("&Copy")}));
        // The row under the mouse was selected first, so the actions apply to it.
        QVERIFY(forceOpenEnabled);
        QCOMPARE(strip.currentPartnerId(), m_partnerId);

        // Copy puts the headers and the row on the clipboard.
        QTest::keySequence(view, QKeySequence::Copy);
        const QString copied = QApplication::clipboard()->text();
        QVERIFY2(copied.startsWith(QStringLiteral("Partner\tCalls/s")), qPrintable(copied));
        QVERIFY2(copied.contains(QStringLiteral("\nAcme\t")), qPrintable(copied));
    }

    void columnsCanBeHiddenAndStaySo()
    {
        {
            PartnerHealthStrip strip(m_server->monitorFeed(), *m_server->transferEngine());
            strip.resize(900, 200);
            strip.show();
            QVERIFY(QTest::qWaitForWindowExposed(&strip));
            QHeaderView *header = strip.view()->horizontalHeader();
            const int p99 = PartnerHealthModel::P99;
            const QPoint position(header->sectionViewportPosition(p99) + 5, 5);
            QStringList offered;
            QTimer::singleShot(0, this, [&] {
                auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
                if (!menu)
                    return;
                for (QAction *action : menu->actions()) {
                    offered.append(action->text());
                    if (action->text() == QStringLiteral("p99"))
                        action->trigger(); // unchecks: hides the column
                }
                menu->close();
            });
            QContextMenuEvent event(QContextMenuEvent::Mouse, position,
                                    header->viewport()->mapToGlobal(position));
            QApplication::sendEvent(header->viewport(), &event);
            QCOMPARE(offered.size(), PartnerHealthModel::ColumnCount - 1); // not the name
            QVERIFY(!offered.contains(QStringLiteral("Partner")));
            QVERIFY(header->isSectionHidden(p99));
            header->resizeSection(PartnerHealthModel::InFlight, 123);
        }
        // A new strip (the next run) shows the columns as they were left.
        PartnerHealthStrip again(m_server->monitorFeed(), *m_server->transferEngine());
        QHeaderView *header = again.view()->horizontalHeader();
        QVERIFY(header->isSectionHidden(PartnerHealthModel::P99));
        QCOMPARE(header->sectionSize(PartnerHealthModel::InFlight), 123);
        header->showSection(PartnerHealthModel::P99);
    }

    void activatingAPartnerAsksForItsTransfers()
    {
        PartnerHealthStrip strip(m_server->monitorFeed(), *m_server->transferEngine());
        QSignalSpy activated(&strip, &PartnerHealthStrip::partnerActivated);
        strip.show();
        QVERIFY(QTest::qWaitForWindowExposed(&strip));
        clickRow(strip, 0);
        QTest::keyClick(strip.view(), Qt::Key_Return);
        QCOMPARE(activated.size(), 1);
        QCOMPARE(activated.first().first().toLongLong(), 1955);
        strip.showTransfersAction()->trigger();
        QCOMPARE(activated.size(), 2);
    }

    void stopsPollingWhenInactiveOrHidden()
    {
        PartnerHealthStrip strip(m_server->monitorFeed(), *m_server->transferEngine());
        qint64 now = 1'700'000'000'000;
        strip.setClock([&now] { return now; });
        QVERIFY(!strip.isPolling());
        strip.show();
        QVERIFY(QTest::qWaitForWindowExposed(&strip));
        QVERIFY(strip.isPolling());
        strip.setActive(false);
        QVERIFY(!strip.isPolling());
        strip.setActive(true);
        QVERIFY(strip.isPolling());
        strip.hide();
        QVERIFY(!strip.isPolling());

        // The injected clock is the statistics' time base.
        m_server->monitorFeed().partners().setBreakerState(
            m_partnerId, PartnerBreakerState::Open, false, QStringLiteral("test"), now - 1000);
        TransferRecord record;
        record.partnerId = m_partnerId;
        record.partnerName = QStringLiteral("Acme");
        record.outcome = TransferOutcome::Timeout;
        record.totalUs = 80'000;
        record.startMs = now - 1500;
        m_server->monitorFeed().recordTransfer(record);
        strip.refresh();
        QCOMPARE(cell(strip, PartnerHealthModel::Timeouts), QStringLiteral("1"));
        now += 61'000;
        strip.refresh();
        QCOMPARE(cell(strip, PartnerHealthModel::Timeouts), QStringLiteral("0"));
    }
};

QTEST_MAIN(tst_PartnerHealthStrip)
#include "tst_partnerhealthstrip.moc"
