#include "common/appidentity.h"
#include "dcs/dcsserver.h"
#include "mainwindow.h"
#include "models/workspacemodel.h"
#include "storage/storage.h"
#include "common/appsettings.h"
#include "storage/settingsrepository.h"
#include "views/settingspage.h"
#include "views/democontrols.h"
#include "views/workspacepage.h"
#include "demoenvironment.h"
#include "dcs/trafficgenerator.h"
#include "storage/partnerrepository.h"

#include <QSlider>
#include <QToolButton>

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSpinBox>
#include <QTcpServer>
#include <QMenuBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace Dcs;

class tst_MainWindow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<DcsServer> m_server;
    int m_counter = 0;

    static QString sample() { return QStringLiteral(DCS_TEST_DATA_DIR "/workspace-sample.json"); }

private Q_SLOTS:
    void initTestCase()
    {
        setApplicationIdentity();
        QStandardPaths::setTestModeEnabled(true); // settings go to a test location
    }

    void init()
    {
        m_server = std::make_unique<DcsServer>();
        QString error;
        QVERIFY2(m_server->openStorage(m_dir.filePath(QStringLiteral("ui%1.sqlite").arg(++m_counter)),
                                       &error),
                 qPrintable(error));
        QVERIFY2(m_server->startListener(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    }

    void cleanup() { m_server.reset(); }

    void statusBarShowsTheListener()
    {
        MainWindow window(*m_server);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QString text = window.listenerStatusLabel()->text();
        QVERIFY2(text.startsWith(QStringLiteral("Listening on 127.0.0.1:%1 · ")
                                     .arg(m_server->listener().port())),
                 qPrintable(text));

        m_server->listener().close();
        QVERIFY(window.listenerStatusLabel()->text().startsWith(QStringLiteral("Listener stopped")));
    }

    void navigationHoldsRealPagesWithShortcuts()
    {
        MainWindow window(*m_server);
        auto *navigation = window.findChild<QListWidget *>(QStringLiteral("navigation"));
        QVERIFY(navigation);
        QVERIFY(navigation->count() >= 1);
        QCOMPARE(navigation->item(0)->text(), QStringLiteral("Monitor"));
        QCOMPARE(navigation->item(1)->text(), QStringLiteral("History"));
        QStringList pages;
        for (int row = 0; row < navigation->count(); ++row)
            pages.append(navigation->item(row)->text());
        QCOMPARE(pages, (QStringList{QStringLiteral("Monitor"), QStringLiteral("History"),
                                     QStringLiteral("Traits"), QStringLiteral("Segments"),
                                     QStringLiteral("Visitors"), QStringLiteral("Reports"),
                                     QStringLiteral("Partners"), QStringLiteral("Workspace"),
                                     QStringLiteral("Settings")}));
        QCOMPARE(window.currentPageId(), QStringLiteral("monitor"));

        const int extraIndex = navigation->count();
        auto *extra = new QLabel(QStringLiteral("extra"));
        window.addPage(QStringLiteral("extra"), QStringLiteral("Extra"), {}, extra);
        auto *viewMenu = window.findChild<QMenu *>(QStringLiteral("viewMenu"));
        QVERIFY(viewMenu);
        QAction *second = nullptr;
        for (QAction *action : viewMenu->actions()) {
            if (action->text() == QStringLiteral("Extra"))
                second = action;
        }
        QVERIFY(second);
        // Ctrl+1..9 go to the first nine pages; a tenth has no shortcut.
        QCOMPARE(second->shortcut(), extraIndex < 9
                                         ? QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + extraIndex))
                                         : QKeySequence());
        second->trigger();
        QCOMPARE(window.currentPageId(), QStringLiteral("extra"));
    }

    void fileMenuListsWorkspaceActions()
    {
        MainWindow window(*m_server);
        auto *fileMenu = window.findChild<QMenu *>(QStringLiteral("fileMenu"));
        QVERIFY(fileMenu);
        QStringList texts;
        for (QAction *action : fileMenu->actions())
            texts.append(action->text());
        QVERIFY2(texts.contains(QStringLiteral("&Import Workspace…")), qPrintable(texts.join(u',')));
        QVERIFY(texts.contains(QStringLiteral("&Export Workspace…")));
        QVERIFY(texts.contains(QStringLiteral("&Check Workspace File…")));
        QCOMPARE(texts.last(), QStringLiteral("&Quit"));
        QCOMPARE(window.workspacePage()->importAction()->shortcut(),
                 QKeySequence(QKeySequence::Open));
    }

    void importFillsTheModelAndReportsInTheStatusBar()
    {
        MainWindow window(*m_server);
        WorkspacePage *page = window.workspacePage();
        QAbstractItemModelTester tester(page->model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy finished(page, &WorkspacePage::operationFinished);
        page->importFile(sample());
        QVERIFY(finished.wait(20000));
        QCOMPARE(page->model()->partnerCount(), 2);
        QCOMPARE(page->model()->traitCount(), 4);
        QCOMPARE(page->model()->segmentCount(), 2);
        QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("imported")),
                 qPrintable(window.statusBar()->currentMessage()));

        // Partners first, then the folder tree; "Autos" sits inside "Interests".
        const QAbstractItemModel *model = page->model();
        QCOMPARE(model->index(0, 0).data().toString(), QStringLiteral("Partners"));
        QCOMPARE(model->rowCount(model->index(0, 0)), 2);
        const QModelIndex interests = model->index(1, 0);
        QCOMPARE(interests.data().toString(), QStringLiteral("Interests"));
        QStringList children;
        for (int row = 0; row < model->rowCount(interests); ++row)
            children.append(model->index(row, 0, interests).data().toString());
        QVERIFY2(children.contains(QStringLiteral("Autos")), qPrintable(children.join(u',')));
        QVERIFY(children.contains(QStringLiteral("Sports readers")));
        QVERIFY(children.contains(QStringLiteral("Sporty car buyers")));
    }

    void aBadFileListsItsProblemsAndChangesNothing()
    {
        const QString bad = m_dir.filePath(QStringLiteral("bad.json"));
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"format": "dcs-studio-workspace/1",
                     "traits": [{"sid": 1, "name": "x", "folder": 9, "rule": "a == 1"}]})");
        file.close();

        MainWindow window(*m_server);
        WorkspacePage *page = window.workspacePage();
        QSignalSpy finished(page, &WorkspacePage::operationFinished);
        page->importFile(bad);
        QVERIFY(finished.wait(20000));
        auto *problems = page->findChild<QListWidget *>();
        QVERIFY(problems);
        QVERIFY(!problems->isHidden());
        QCOMPARE(problems->count(), 1);
        QVERIFY(problems->item(0)->text().startsWith(QStringLiteral("$.traits[0].folder")));
        QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("nothing changed")));
        QCOMPARE(page->model()->traitCount(), 0);
    }

    void exportWritesTheFile()
    {
        MainWindow window(*m_server);
        WorkspacePage *page = window.workspacePage();
        QSignalSpy finished(page, &WorkspacePage::operationFinished);
        page->importFile(sample());
        QVERIFY(finished.wait(20000));
        const QString out = m_dir.filePath(QStringLiteral("out.json"));
        page->exportFile(out);
        QVERIFY(finished.wait(20000));
        QVERIFY(QFile::exists(out));
        QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("exported")));
    }

    void statusBarShowsTheLiveRate()
    {
        MainWindow window(*m_server);
        QNetworkAccessManager network;
        const QUrl url(QStringLiteral("http://127.0.0.1:%1/event?d_rtbd=json&c_a=1")
                           .arg(m_server->listener().port()));
        for (int i = 0; i < 3; ++i) {
            QNetworkReply *reply = network.get(QNetworkRequest(url));
            QSignalSpy finished(reply, &QNetworkReply::finished);
            QVERIFY(finished.wait(10000));
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            reply->deleteLater();
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listenerStatusLabel()->text().contains(QStringLiteral("events/s")), 5000);
    }

    void settingsApplyRegionAndDeadlineAtOnce()
    {
        MainWindow window(*m_server);
        SettingsPage *page = window.settingsPage();
        page->regionSpin()->setValue(12);
        page->deadlineSpin()->setValue(80);
        QVERIFY(page->apply());
        QCOMPARE(m_server->eventEndpoint()->settings().deadlineMs, 80);
        QCOMPARE(m_server->eventEndpoint()->settings().dcsRegion, 12);
        QCOMPARE(SettingsRepository(*m_server->storage()).load(), (WorkspaceSettings{12, 80}));

        QNetworkAccessManager network;
        QNetworkReply *reply = network.get(QNetworkRequest(
            QUrl(QStringLiteral("http://127.0.0.1:%1/event?d_rtbd=json")
                     .arg(m_server->listener().port()))));
        QSignalSpy finished(reply, &QNetworkReply::finished);
        QVERIFY(finished.wait(10000));
        QVERIFY(reply->readAll().contains("\"dcs_region\":12"));
        reply->deleteLater();
    }

    void settingsRebindTheListenerAndApplyLimits()
    {
        MainWindow window(*m_server);
        SettingsPage *page = window.settingsPage();
        const quint16 before = m_server->listener().port();
        QTcpServer blocker; // a free port that is then released, to move to
        QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
        const quint16 target = blocker.serverPort();
        blocker.close();
        page->addressEdit()->setText(QStringLiteral("127.0.0.1:%1").arg(target));
        page->idleTimeoutSpin()->setValue(7);
        page->answerAfterCommitBox()->setChecked(false);
        QVERIFY(page->apply());
        QVERIFY(!m_server->eventEndpoint()->settings().answerAfterCommit);
        QVERIFY(!AppSettings().answerAfterCommit());
        QCOMPARE(m_server->listener().port(), target);
        QVERIFY(target != before);
        QCOMPARE(m_server->listener().limits().idleTimeoutMs, 7000);
        QCOMPARE(AppSettings().listenerLimits().idleTimeoutMs, 7000);
        QCOMPARE(AppSettings().listenAddress(), QStringLiteral("127.0.0.1:%1").arg(target));
        QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("applied")));
    }

    void settingsRefuseABadOrBusyAddressAndKeepTheListener()
    {
        MainWindow window(*m_server);
        SettingsPage *page = window.settingsPage();
        const quint16 before = m_server->listener().port();
        page->addressEdit()->setText(QStringLiteral("1.2.3:80"));
        QVERIFY(!page->apply());
        QCOMPARE(m_server->listener().port(), before);

        QTcpServer busy;
        QVERIFY(busy.listen(QHostAddress::LocalHost, 0));
        page->addressEdit()->setText(QStringLiteral("127.0.0.1:%1").arg(busy.serverPort()));
        QVERIFY(!page->apply());
        QVERIFY(m_server->listener().isListening());
        QCOMPARE(m_server->listener().port(), before);
        QVERIFY(window.statusBar()->currentMessage().startsWith(QStringLiteral("Listener not "
                                                                               "moved")));
        QCOMPARE(page->addressEdit()->text(), QStringLiteral("127.0.0.1:%1").arg(before));
    }

    void firstRunOffersTheDemoOnAnEmptyWorkspace()
    {
        AppSettings().setDemoOfferDismissed(false);
        {
            MainWindow window(*m_server);
            QVERIFY(window.demoOffer());
            QSignalSpy requested(&window, &MainWindow::demoRequested);
            QTest::mouseClick(window.demoOffer()->startButton(), Qt::LeftButton);
            QCOMPARE(requested.size(), 1);
            // "Not now" hides it for this window only.
            QTest::mouseClick(window.demoOffer()->laterButton(), Qt::LeftButton);
            QCOMPARE(window.demoOffer(), nullptr);
        }
        {
            MainWindow window(*m_server);
            QVERIFY(window.demoOffer());
            QTest::mouseClick(window.demoOffer()->neverButton(), Qt::LeftButton);
            QCOMPARE(window.demoOffer(), nullptr);
        }
        QVERIFY(AppSettings().demoOfferDismissed());
        MainWindow declined(*m_server);
        QCOMPARE(declined.demoOffer(), nullptr);
        AppSettings().setDemoOfferDismissed(false);
    }

    void noDemoOfferWhenTheWorkspaceHasPartners()
    {
        AppSettings().setDemoOfferDismissed(false);
        Partner partner;
        partner.name = QStringLiteral("Acme");
        partner.dpid = 1001;
        partner.integrationCode = QStringLiteral("acme");
        partner.endpoint = QStringLiteral("http://127.0.0.1:9/segments");
        QVERIFY(PartnerRepository(*m_server->storage()).save(partner).ok);
        MainWindow window(*m_server);
        QCOMPARE(window.demoOffer(), nullptr);
    }

    void demoTrafficControlSteersTheRunningDemo()
    {
        QString error;
        std::unique_ptr<DemoEnvironment> demo = DemoEnvironment::start(*m_server, &error);
        QVERIFY2(demo, qPrintable(error));
        {
            MainWindow window(*m_server);
            QVERIFY(window.startDemoAction()->isEnabled());
            window.setDemoEnvironment(demo.get());
            QCOMPARE(window.demoOffer(), nullptr); // the workspace is the demo's now anyway
            QVERIFY(!window.startDemoAction()->isEnabled());
            DemoTrafficControl *control = window.demoTrafficControl();
            QVERIFY(control);
            control->rateSlider()->setValue(DemoTrafficControl::kSliderSteps);
            QCOMPARE(demo->traffic().rate(), TrafficGenerator::kMaxRate);
            control->rateSlider()->setValue(5);
            QCOMPARE(demo->traffic().rate(), 5.0);
            QTest::mouseClick(control->pauseButton(), Qt::LeftButton);
            QVERIFY(demo->traffic().isPaused());
            QCOMPARE(control->pauseButton()->accessibleName(),
                     QStringLiteral("Resume demo traffic"));
            QTest::mouseClick(control->pauseButton(), Qt::LeftButton);
            QVERIFY(!demo->traffic().isPaused());
            window.setDemoEnvironment(nullptr);
            QCOMPARE(window.demoTrafficControl(), nullptr);
        }
        m_server->shutdown();
        demo.reset();
    }

    void demoRateScaleIsMonotonicAndRoundTrips()
    {
        double previous = -1;
        for (int position = 0; position <= DemoTrafficControl::kSliderSteps; ++position) {
            const double rate = DemoTrafficControl::rateForPosition(position);
            QVERIFY2(rate > previous, qPrintable(QString::number(position)));
            QCOMPARE(DemoTrafficControl::positionForRate(rate), position);
            previous = rate;
        }
        QCOMPARE(DemoTrafficControl::rateForPosition(0), 0.0);
        QCOMPARE(DemoTrafficControl::rateForPosition(DemoTrafficControl::kSliderSteps),
                 TrafficGenerator::kMaxRate);
    }

    void geometryAndPagePersist()
    {
        {
            MainWindow window(*m_server);
            window.addPage(QStringLiteral("extra"), QStringLiteral("Extra"), {}, new QLabel);
            window.resize(900, 640);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.setCurrentPage(QStringLiteral("extra"));
            window.close();
        }
        MainWindow again(*m_server);
        again.addPage(QStringLiteral("extra"), QStringLiteral("Extra"), {}, new QLabel);
        // A page added after construction is selected again as soon as it exists.
        QCOMPARE(again.currentPageId(), QStringLiteral("extra"));
        QCOMPARE(again.size(), QSize(900, 640));
    }
};

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
