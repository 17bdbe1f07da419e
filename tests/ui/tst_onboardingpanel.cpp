// The onboarding panel (partner-protocol.md, "Onboarding test") driven through its own widgets
// against a real partner simulator running in this process: a good partner passes, a
// misbehaving one fails the right checks with their reasons, a run cancels, the history lists
// the runs after a reload and compares them, and a call copies as curl with its signature
// masked (or, when asked, the real one). Every model runs under QAbstractItemModelTester.
#include "common/appidentity.h"
#include "dcs/dcsserver.h"
#include "monitor/transfercolumns.h"
#include "monitor/waterfallwidget.h"
#include "partners/onboardingcallsmodel.h"
#include "partners/onboardingchangesmodel.h"
#include "partners/onboardingchecksmodel.h"
#include "partners/onboardingcompareview.h"
#include "partners/onboardinghistorymodel.h"
#include "partners/onboardingpanel.h"
#include "partners/onboardingrunner.h"
#include "partners/partnersigning.h"
#include "partnersimulator.h"
#include "simulatorconfig.h"
#include "storage/partnerrepository.h"
#include "storage/storage.h"
#include "storage/workspacefile.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

using namespace Dcs;
using Result = OnboardingCheck::Result;

namespace {

constexpr int kWaitMs = 20000;
const QByteArray kSecret = QByteArrayLiteral("onboard-secret");

QByteArray workspaceJson()
{
    QFile file(QStringLiteral(DCS_TEST_DATA_DIR "/workspace-rules.json"));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The result of the check named `name` as the panel's checks model shows it; -2 when absent.
int resultOf(const OnboardingChecksModel &model, const QString &name)
{
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex check = model.index(row, OnboardingChecksModel::Check);
        if (check.data().toString() == OnboardingChecksModel::checkTitle(name))
            return model.index(row, OnboardingChecksModel::Result)
                .data(OnboardingChecksModel::ResultRole)
                .toInt();
    }
    return -2;
}

QString reasonOf(const OnboardingChecksModel &model, const QString &name)
{
    for (int row = 0; row < model.rowCount(); ++row) {
        if (model.index(row, OnboardingChecksModel::Check).data().toString()
            == OnboardingChecksModel::checkTitle(name))
            return model.index(row, OnboardingChecksModel::Reason).data().toString();
    }
    return {};
}

// Replaces a spin box's value the way a user does: select all, type.
void typeInto(QAbstractSpinBox *spin, const QString &text)
{
    spin->setFocus();
    QTest::keyClick(spin, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(spin, text);
}

void clickRow(QTableView *view, int row, Qt::KeyboardModifiers modifiers = {})
{
    const QModelIndex index = view->model()->index(row, 1);
    view->scrollTo(index);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, modifiers,
                      view->visualRect(index).center());
}

QByteArray headerOf(const QByteArray &requestText, const QByteArray &name)
{
    const QByteArray prefix = "\r\n" + name + ": ";
    const qsizetype at = requestText.indexOf(prefix);
    if (at < 0)
        return {};
    const qsizetype start = at + prefix.size();
    return requestText.mid(start, requestText.indexOf('\r', start) - start);
}

// Testers for every model the panel holds, for the panel's whole life.
struct ModelTesters
{
    explicit ModelTesters(OnboardingPanel &panel)
    {
        const auto mode = QAbstractItemModelTester::FailureReportingMode::QtTest;
        for (QAbstractItemModel *model : std::initializer_list<QAbstractItemModel *>{
                 panel.callsModel(), panel.checksModel(), panel.historyModel(),
                 panel.compareView()->changesModel(), panel.compareView()->checksModel(),
                 panel.callsView()->model(), panel.historyView()->model()})
            testers.push_back(std::make_unique<QAbstractItemModelTester>(model, mode));
    }
    std::vector<std::unique_ptr<QAbstractItemModelTester>> testers;
};

} // namespace

class tst_OnboardingPanel : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<PartnerSimulator> m_sim;
    std::unique_ptr<DcsServer> m_server;
    Partner m_partner;
    int m_databases = 0;

    bool configureSim(const QJsonObject &changes)
    {
        SimulatorConfig config = m_sim->config();
        QString error;
        if (!applyConfigChanges(config, changes, ConfigKeyStyle::Json, &error)) {
            qWarning() << error;
            return false;
        }
        m_sim->setConfig(config);
        return true;
    }

    std::unique_ptr<OnboardingPanel> makePanel()
    {
        auto panel = std::make_unique<OnboardingPanel>(*m_server);
        panel->resize(1200, 800);
        panel->show();
        QApplication::setActiveWindow(panel.get());
        panel->setPartner(m_partner);
        return panel;
    }

    // Types the run's size into the compose form and clicks Run; waits for the end.
    bool runThroughTheForm(OnboardingPanel &panel, int calls, double rate)
    {
        typeInto(panel.callsSpin(), QString::number(calls));
        if (calls > 1)
            typeInto(panel.rateSpin(), QString::number(rate));
        if (panel.callsSpin()->value() != calls)
            return false;
        QSignalSpy finished(&panel, &OnboardingPanel::runFinished);
        QTest::mouseClick(panel.runButton(), Qt::LeftButton);
        return finished.wait(kWaitMs);
    }

private Q_SLOTS:
    void initTestCase()
    {
        setApplicationIdentity();
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        QFile codes(m_dir.filePath(QStringLiteral("codes.tsv")));
        QVERIFY(codes.open(QIODevice::WriteOnly));
        codes.write("*\tauto,x-unmapped\n");
        codes.close();
        m_sim = std::make_unique<PartnerSimulator>();
        QVERIFY(configureSim(QJsonObject{{QStringLiteral("codes"), codes.fileName()},
                                         {QStringLiteral("secret"), QString::fromLatin1(kSecret)},
                                         {QStringLiteral("latency"), QStringLiteral("fixed:2")}}));
        QVERIFY2(m_sim->listen(), qPrintable(m_sim->errorString()));
    }

    void init()
    {
        QVERIFY(configureSim(QJsonObject{{QStringLiteral("fail"), QString()},
                                         {QStringLiteral("empty_share"), 0}}));
        m_sim->resetStats();
        m_server = std::make_unique<DcsServer>(nullptr, 1);
        QString error;
        QVERIFY2(m_server->openStorage(
                     m_dir.filePath(QStringLiteral("p%1.sqlite").arg(++m_databases)), &error),
                 qPrintable(error));
        QVERIFY(WorkspaceFile::import(*m_server->storage(), workspaceJson(),
                                      QStringLiteral("test"))
                    .ok);
        PartnerRepository repository(*m_server->storage());
        m_partner = repository.all().first(); // "Acme", DPID 1955, disabled: tests run anyway
        m_partner.endpoint = QStringLiteral("http://127.0.0.1:%1/lookup").arg(m_sim->port());
        m_partner.forwardedKeys = {QStringLiteral("c_section")};
        QVERIFY(repository.save(m_partner, kSecret).ok);
        m_partner = *repository.byId(m_partner.id); // with hasStoredSecret as stored
        m_server->reloadWorkspace();
        QApplication::clipboard()->clear();
    }

    void cleanup() { m_server.reset(); }

    void aGoodPartnerPassesThroughThePanel()
    {
        const std::unique_ptr<OnboardingPanel> panel = makePanel();
        const ModelTesters testers(*panel);
        QVERIFY(panel->runButton()->isEnabled());
        QVERIFY(!panel->cancelButton()->isEnabled());
        QTest::keyClicks(panel->signalsEdit(), QStringLiteral("c_section=sports"));
        QTest::keyClick(panel->signalsEdit(), Qt::Key_Return);
        QTest::keyClicks(panel->signalsEdit(), QStringLiteral("p_secret=x"));
        QTRY_VERIFY(panel->findChild<QLabel *>(QStringLiteral("signalsNote"))
                        ->text()
                        .contains(QStringLiteral("p_secret")));
        QVERIFY(runThroughTheForm(*panel, 20, 1000));

        QCOMPARE(panel->progressBar()->maximum(), 20);
        QCOMPARE(panel->progressBar()->value(), 20);
        QCOMPARE(panel->callsModel()->rowCount(), 20);
        for (int row = 0; row < 20; ++row)
            QCOMPARE(panel->callsModel()->record(row).outcome, TransferOutcome::Ok);
        const OnboardingChecksModel &checks = *panel->checksModel();
        QCOMPARE(checks.rowCount(), 8);
        QCOMPARE(resultOf(checks, QStringLiteral("reachable")), int(Result::Pass));
        QCOMPARE(resultOf(checks, QStringLiteral("TLS")), int(Result::NotApplicable));
        QCOMPARE(resultOf(checks, QStringLiteral("status and content type")), int(Result::Pass));
        QCOMPARE(resultOf(checks, QStringLiteral("body parses")), int(Result::Pass));
        QCOMPARE(resultOf(checks, QStringLiteral("codes valid")), int(Result::Pass));
        // "x-unmapped" realizes no onboarded trait: a warning naming it.
        QCOMPARE(resultOf(checks, QStringLiteral("codes mapped")), int(Result::Warn));
        QVERIFY(reasonOf(checks, QStringLiteral("codes mapped"))
                    .contains(QStringLiteral("x-unmapped")));
        QCOMPARE(resultOf(checks, QStringLiteral("latency")), int(Result::Pass));
        QCOMPARE(resultOf(checks, QStringLiteral("error rate")), int(Result::Pass));
        QCOMPARE(reasonOf(checks, QStringLiteral("error rate")),
                 QStringLiteral("0 of 20 calls failed (0.0%; pass at most 1%, warn at most 5%)"));
        QVERIFY2(panel->summaryLabel()->text().contains(QStringLiteral("Passed")),
                 qPrintable(panel->summaryLabel()->text()));
        QVERIFY(panel->summaryLabel()->text().contains(QStringLiteral("20 calls")));
        QCOMPARE(m_sim->stats().requests, quint64(20));

        // The third call by number: its waterfall, request and answer.
        QTableView *calls = panel->callsView();
        calls->sortByColumn(OnboardingCallsModel::NumberColumn, Qt::AscendingOrder);
        clickRow(calls, 2);
        const int row = calls->selectionModel()->currentIndex().row();
        QCOMPARE(calls->model()->index(row, 0).data(OnboardingCallsModel::CallIndexRole).toInt(),
                 2);
        const QString summary = panel->waterfall()->textSummary();
        QVERIFY2(summary != WaterfallWidget::tr("No timings") && summary.contains(u"ms"),
                 qPrintable(summary));
        const QString request = panel->requestView()->toPlainText();
        QVERIFY2(request.startsWith(QStringLiteral("POST /lookup HTTP/1.1")), qPrintable(request));
        QVERIFY(request.contains(QStringLiteral("X-DCS-Tid: test00000002")));
        QVERIFY(request.contains(QStringLiteral("X-DCS-Signature: sha256=<masked>")));
        QVERIFY(!request.contains(QString::fromLatin1(kSecret)));
        // The signals as typed, minus what the partner does not get.
        QVERIFY(request.contains(QStringLiteral("\"signals\":{\"c_section\":[\"sports\"]}")));
        QVERIFY(!request.contains(QStringLiteral("p_secret")));
        QVERIFY(panel->answerView()->toPlainText().startsWith(QStringLiteral("HTTP/1.1 200")));
        QVERIFY(panel->answerView()->toPlainText().contains(QStringLiteral("auto")));
    }

    void aMisbehavingPartnerFailsTheRightChecks_data()
    {
        QTest::addColumn<QString>("failure");
        QTest::addColumn<QString>("failingCheck");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("passingCheck");
        QTest::newRow("500s") << "http500=1" << "status and content type"
                              << "5 of 5 answers had a wrong status (first: status 500"
                              << "body parses";
        QTest::newRow("malformed JSON") << "malformed=1" << "body parses"
                                        << "5 answers did not parse (first: "
                                        << "status and content type";
    }

    void aMisbehavingPartnerFailsTheRightChecks()
    {
        QFETCH(QString, failure);
        QFETCH(QString, failingCheck);
        QFETCH(QString, reason);
        QFETCH(QString, passingCheck);
        QVERIFY(configureSim(QJsonObject{{QStringLiteral("fail"), failure}}));
        const std::unique_ptr<OnboardingPanel> panel = makePanel();
        const ModelTesters testers(*panel);
        QVERIFY(runThroughTheForm(*panel, 5, 500));

        const OnboardingChecksModel &checks = *panel->checksModel();
        QCOMPARE(resultOf(checks, failingCheck), int(Result::Fail));
        QVERIFY2(reasonOf(checks, failingCheck).startsWith(reason),
                 qPrintable(reasonOf(checks, failingCheck)));
        QCOMPARE(resultOf(checks, passingCheck), int(Result::Pass));
        QCOMPARE(resultOf(checks, QStringLiteral("reachable")), int(Result::Pass));
        QCOMPARE(resultOf(checks, QStringLiteral("error rate")), int(Result::Fail));
        QVERIFY(reasonOf(checks, QStringLiteral("error rate"))
                    .startsWith(QStringLiteral("5 of 5 calls failed (100.0%")));
        // What the table shows, not only its roles.
        for (int row = 0; row < checks.rowCount(); ++row) {
            if (checks.index(row, OnboardingChecksModel::Check).data().toString()
                == OnboardingChecksModel::checkTitle(failingCheck))
                QCOMPARE(checks.index(row, OnboardingChecksModel::Result).data().toString(),
                         QStringLiteral("Fail"));
        }
        QVERIFY(panel->summaryLabel()->text().contains(QStringLiteral("Failed")));
        QVERIFY(!panel->shownReport().passed());
        // The failing call shows why.
        clickRow(panel->callsView(), 0);
        QVERIFY(!panel->answerView()->toPlainText().isEmpty());
    }

    void cancelStopsTheRunWithTheKeyboard()
    {
        const std::unique_ptr<OnboardingPanel> panel = makePanel();
        const ModelTesters testers(*panel);
        typeInto(panel->callsSpin(), QStringLiteral("400"));
        typeInto(panel->rateSpin(), QStringLiteral("40"));
        QSignalSpy finished(panel.get(), &OnboardingPanel::runFinished);
        QTRY_VERIFY(panel->isActiveWindow());
        // Ctrl+Return runs from anywhere in the panel; Escape cancels.
        panel->visitorEdit()->setFocus();
        QTest::keyClick(panel->visitorEdit(), Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(panel->isRunning());
        QVERIFY(!panel->runButton()->isEnabled());
        QVERIFY(panel->cancelButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(panel->progressBar()->value() >= 3, kWaitMs);
        QTest::keyClick(panel->visitorEdit(), Qt::Key_Escape);
        QVERIFY(finished.wait(kWaitMs));

        const OnboardingReport &report = panel->shownReport();
        QVERIFY(report.cancelled);
        QVERIFY2(report.calls.size() >= 3 && report.calls.size() < 400,
                 qPrintable(QString::number(report.calls.size())));
        QCOMPARE(panel->callsModel()->rowCount(), int(report.calls.size()));
        QCOMPARE(m_sim->stats().requests, quint64(report.calls.size()));
        QCOMPARE(panel->progressBar()->value(), int(report.calls.size()));
        QCOMPARE(panel->progressBar()->maximum(), 400);
        QVERIFY(panel->summaryLabel()->text().contains(QStringLiteral("Cancelled")));
        QVERIFY(report.toText().contains(QStringLiteral("(cancelled)")));
        QVERIFY(panel->runButton()->isEnabled());
        QVERIFY(!panel->cancelButton()->isEnabled());
        // Stored and listed as cancelled.
        QTRY_COMPARE(panel->historyModel()->rowCount(), 1);
        QCOMPARE(panel->historyModel()
                     ->index(0, OnboardingHistoryModel::Result)
                     .data()
                     .toString(),
                 QStringLiteral("Cancelled"));
    }

    void closingMidRunIsSafe()
    {
        // Calls in flight when the panel goes (the window closes): no crash, no late signal,
        // and the server still shuts down cleanly afterwards.
        QVERIFY(configureSim(
            QJsonObject{{QStringLiteral("latency"), QStringLiteral("fixed:30")}}));
        auto panel = makePanel();
        typeInto(panel->callsSpin(), QStringLiteral("400"));
        typeInto(panel->rateSpin(), QStringLiteral("200"));
        QTest::mouseClick(panel->runButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(panel->progressBar()->value() >= 2, kWaitMs);
        QVERIFY(m_sim->stats().inFlight > 0 || panel->isRunning());
        panel.reset();
        QVERIFY(configureSim(QJsonObject{{QStringLiteral("latency"), QStringLiteral("fixed:2")}}));
        // A new panel on the same server still works.
        panel = makePanel();
        QVERIFY(runThroughTheForm(*panel, 2, 100));
        QCOMPARE(panel->callsModel()->rowCount(), 2);
    }

    void historyListsRunsAfterAReloadAndComparesThem()
    {
        {
            const std::unique_ptr<OnboardingPanel> panel = makePanel();
            QVERIFY(runThroughTheForm(*panel, 4, 500));
            QVERIFY(configureSim(QJsonObject{{QStringLiteral("empty_share"), 1}}));
            QVERIFY(runThroughTheForm(*panel, 4, 500));
        }
        // A new panel reads the history from the database, off the GUI thread.
        const std::unique_ptr<OnboardingPanel> panel = makePanel();
        const ModelTesters testers(*panel);
        QTRY_COMPARE(panel->historyModel()->rowCount(), 2);
        const OnboardingHistoryModel &history = *panel->historyModel();
        QCOMPARE(panel->tabs()->tabText(1), QStringLiteral("History (2)"));
        QStringList checkNames = history.checkNames();
        QCOMPARE(checkNames.size(), 8);
        for (int row = 0; row < 2; ++row) {
            QCOMPARE(history.index(row, OnboardingHistoryModel::Calls).data().toString(),
                     QStringLiteral("4"));
            for (int column = OnboardingHistoryModel::FirstCheck;
                 column < history.columnCount(); ++column)
                QVERIFY(!history.index(row, column).data(Qt::ToolTipRole).toString().isEmpty());
        }
        // Newest first: the empty answers' run has no codes to map.
        const int mapped = OnboardingHistoryModel::FirstCheck
                           + int(checkNames.indexOf(QStringLiteral("codes mapped")));
        QCOMPARE(history.index(0, mapped).data(Qt::AccessibleTextRole).toString(),
                 QStringLiteral("n/a"));
        QCOMPARE(history.index(1, mapped).data(Qt::AccessibleTextRole).toString(),
                 QStringLiteral("Warn"));

        // Select both with the mouse, compare.
        panel->tabs()->setCurrentIndex(1);
        QTableView *view = panel->historyView();
        clickRow(view, 0);
        clickRow(view, 1, Qt::ControlModifier);
        QVERIFY(panel->compareAction()->isEnabled());
        QTest::mouseClick(panel->findChild<QToolButton *>(QStringLiteral("compareButton")),
                          Qt::LeftButton);
        OnboardingCompareView *compare = panel->compareView();
        QVERIFY(compare->hasComparison());
        QCOMPARE(compare->changesModel()->rowCount(), 4);
        for (int row = 0; row < 4; ++row) {
            const OnboardingComparison::Change &change = compare->changesModel()->change(row);
            QVERIFY2(change.before.startsWith(QStringLiteral("ok: auto")),
                     qPrintable(change.before));
            QCOMPARE(change.after, QStringLiteral("empty"));
        }
        QVERIFY(compare->headline()->text().contains(QStringLiteral("4 answers changed")));
        QVERIFY(compare->timingLabel(0, 0)->text().endsWith(QStringLiteral(" ms")));
        QCOMPARE(compare->timingLabel(3, 0)->text(), QStringLiteral("0.0%"));
        QCOMPARE(compare->timingLabel(3, 2)->text(), QStringLiteral("no change"));
        // Both distributions hold every call (shares add up to 100%).
        for (int run = 0; run < 2; ++run) {
            double total = 0;
            for (double share : compare->histogram(run))
                total += share;
            QVERIFY2(qAbs(total - 100) < 0.01, qPrintable(QString::number(total)));
        }
        // Checks before and after: codes mapped went from Warn to n/a.
        const OnboardingChecksModel &checks = *compare->checksModel();
        QVERIFY(checks.isComparison());
        bool seen = false;
        for (int row = 0; row < checks.rowCount(); ++row) {
            if (checks.index(row, 0).data().toString() != QStringLiteral("Codes mapped"))
                continue;
            seen = true;
            QCOMPARE(checks.index(row, OnboardingChecksModel::Before).data().toString(),
                     QStringLiteral("Warn"));
            QCOMPARE(checks.index(row, OnboardingChecksModel::After).data().toString(),
                     QStringLiteral("n/a"));
            QVERIFY(checks.index(row, 0).data(Qt::FontRole).value<QFont>().bold());
        }
        QVERIFY(seen);

        // Open the older run (Return on its row): its calls come back with their bodies.
        clickRow(view, 1);
        QTest::keyClick(view, Qt::Key_Return);
        QTRY_COMPARE(panel->tabs()->currentIndex(), 0);
        QCOMPARE(panel->callsModel()->rowCount(), 4);
        QVERIFY(panel->summaryLabel()->text().contains(QStringLiteral("from the history")));
        QVERIFY(panel->requestView()->toPlainText().contains(QStringLiteral("X-DCS-Tmax: 80")));
        QVERIFY(panel->callsModel()->record(0).codes.contains(QStringLiteral("auto")));
    }

    void aCallCopiesAsCurl()
    {
        const std::unique_ptr<OnboardingPanel> panel = makePanel();
        const ModelTesters testers(*panel);
        typeInto(panel->callsSpin(), QStringLiteral("1"));
        QCOMPARE(panel->runButton()->text(), QStringLiteral("Send Call"));
        QVERIFY(runThroughTheForm(*panel, 1, 1));
        QCOMPARE(panel->callsModel()->rowCount(), 1);
        const TransferRecord record = panel->callsModel()->record(0);
        QSignalSpy status(panel.get(), &OnboardingPanel::statusMessage);

        // Ctrl+C in the calls table.
        QTableView *calls = panel->callsView();
        clickRow(calls, 0);
        calls->setFocus();
        QTest::keyClick(calls, Qt::Key_C, Qt::ControlModifier);
        QTRY_VERIFY(QApplication::clipboard()->text().startsWith(QStringLiteral("curl ")));
        const QString masked = QApplication::clipboard()->text();
        QVERIFY2(masked.contains(QStringLiteral("X-DCS-Signature: sha256=<masked>")),
                 qPrintable(masked));
        QVERIFY(masked.contains(QStringLiteral("http://127.0.0.1:%1/lookup").arg(m_sim->port())));
        QVERIFY(masked.contains(QStringLiteral("X-DCS-Timestamp: ")
                                + QString::fromLatin1(headerOf(record.requestText,
                                                               "X-DCS-Timestamp"))));
        QTRY_VERIFY(!status.isEmpty());
        QCOMPARE(status.last().first().toString(),
                 QStringLiteral("Copied call 1 as curl (signature masked)"));

        // Revealed: the very signature the call was sent with.
        QTest::mouseClick(panel->findChild<QCheckBox *>(QStringLiteral("revealCheck")),
                          Qt::LeftButton);
        QVERIFY(panel->revealAction()->isChecked());
        calls->setFocus();
        QTest::keyClick(calls, Qt::Key_C, Qt::ControlModifier);
        QTRY_VERIFY(!QApplication::clipboard()->text().contains(QStringLiteral("<masked>")));
        const QByteArray body = record.requestText.mid(record.requestText.indexOf("\r\n\r\n") + 4);
        const QByteArray signature = PartnerSigning::signature(
            kSecret, headerOf(record.requestText, "X-DCS-Timestamp"), body);
        QVERIFY(QApplication::clipboard()->text().contains(
            QStringLiteral("X-DCS-Signature: ") + QString::fromLatin1(signature)));
        // The request shown stays masked.
        QVERIFY(panel->requestView()->toPlainText().contains(QStringLiteral("sha256=<masked>")));

        // Copy Report: the CLI's lines and the checks.
        panel->checksView()->setFocus();
        QTest::keyClick(panel->checksView(), Qt::Key_C, Qt::ControlModifier);
        QTRY_VERIFY(QApplication::clipboard()->text().startsWith(QStringLiteral("Calls:")));
        QVERIFY(QApplication::clipboard()->text().contains(QStringLiteral("Result: PASSED")));
    }

    void curlIsRebuiltFromTheRecordedCall()
    {
        // A record the engine made, rebuilt: the same masked bytes; after an endpoint change
        // the command follows the partner and says it differs.
        const std::unique_ptr<OnboardingPanel> panel = makePanel();
        QVERIFY(runThroughTheForm(*panel, 2, 100));
        const TransferRecord record = panel->callsModel()->record(0);
        bool same = false;
        QString problem;
        const QString command = OnboardingRunner::curlFor(
            m_partner, kSecret, panel->shownReport().config, record, false, &same, &problem);
        QVERIFY2(same, qPrintable(command));
        QVERIFY(problem.isEmpty());
        Partner moved = m_partner;
        moved.endpoint = QStringLiteral("http://127.0.0.1:9/elsewhere");
        OnboardingRunner::curlFor(moved, kSecret, panel->shownReport().config, record, false,
                                  &same, &problem);
        QVERIFY(!same);
        moved.endpoint = QStringLiteral("not a url");
        QVERIFY(OnboardingRunner::curlFor(moved, kSecret, {}, record, false, &same, &problem)
                    .isEmpty());
        QVERIFY(!problem.isEmpty());
    }

    void signalsParse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected"); // key:v1|v2;key2:v  or "error"
        QTest::newRow("empty") << "" << "";
        QTest::newRow("one") << "c_section=sports" << "c_section:sports";
        QTest::newRow("repeated key, spaces, comments")
            << "# page\n c_a = 1 \n\nc_b=x=y\nc_a=2" << "c_a:1|2;c_b:x=y";
        QTest::newRow("empty value") << "c_a=" << "c_a:";
        QTest::newRow("no equals") << "c_a" << "error";
        QTest::newRow("no key") << "=v" << "error";
    }

    void signalsParse()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QString error;
        const QList<Signal> parsed = OnboardingPanel::parseSignals(text, &error);
        if (expected == u"error") {
            QVERIFY(!error.isEmpty());
            QVERIFY(parsed.isEmpty());
            return;
        }
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QStringList parts;
        for (const Signal &signal : parsed)
            parts.append(signal.key + u':' + signal.values.join(u'|'));
        QCOMPARE(parts.join(u';'), expected);
    }

    void modelsUnderTheTester()
    {
        const auto mode = QAbstractItemModelTester::FailureReportingMode::QtTest;
        TransferRecord ok;
        ok.outcome = TransferOutcome::Ok;
        ok.uuid = QStringLiteral("u1");
        ok.codes = {QStringLiteral("a")};
        ok.totalUs = 1500;
        TransferRecord failed = ok;
        failed.outcome = TransferOutcome::HttpError;
        failed.uuid = QStringLiteral("u2");

        OnboardingCallsModel calls;
        QAbstractItemModelTester callsTester(&calls, mode);
        calls.addCalls({1}, {failed});
        calls.addCalls({0, 2}, {ok, ok});
        QCOMPARE(calls.rowCount(), 3);
        QCOMPARE(calls.callIndex(0), 1);
        QCOMPARE(calls.rowOfCall(2), 2);
        calls.addCalls({1}, {ok}); // an update in place
        QCOMPARE(calls.rowCount(), 3);
        QCOMPARE(calls.record(0).outcome, TransferOutcome::Ok);
        QCOMPARE(calls.index(0, 0).data().toInt(), 2);
        QCOMPARE(calls.index(0, OnboardingCallsModel::columnOf(TransferColumns::Outcome))
                     .data()
                     .toString(),
                 QStringLiteral("OK"));
        calls.setCalls({ok, failed});
        QCOMPARE(calls.rowCount(), 2);
        calls.clear();
        QCOMPARE(calls.rowCount(), 0);

        const QList<OnboardingCheck> before = {
            {QStringLiteral("reachable"), Result::Pass, QStringLiteral("1 of 1")},
            {QStringLiteral("codes mapped"), Result::Warn, QStringLiteral("x")}};
        const QList<OnboardingCheck> after = {
            {QStringLiteral("reachable"), Result::Fail, QStringLiteral("0 of 1")},
            {QStringLiteral("TLS"), Result::NotApplicable, QStringLiteral("http")}};
        OnboardingChecksModel checks;
        QAbstractItemModelTester checksTester(&checks, mode);
        checks.setChecks(before);
        QCOMPARE(checks.columnCount(), 3);
        QCOMPARE(checks.index(1, OnboardingChecksModel::Result).data().toString(),
                 QStringLiteral("Warn"));
        checks.setComparison(before, after);
        QCOMPARE(checks.rowCount(), 3); // reachable, codes mapped, TLS
        QCOMPARE(checks.index(1, OnboardingChecksModel::After).data().toString(),
                 QStringLiteral("—"));
        QCOMPARE(checks.index(2, OnboardingChecksModel::Before)
                     .data(OnboardingChecksModel::ResultRole)
                     .toInt(),
                 -1);
        checks.clear();
        QCOMPARE(checks.rowCount(), 0);

        OnboardingReport first;
        first.runId = 1;
        first.checks = before;
        first.calls = {ok};
        OnboardingReport second = first;
        second.runId = 2;
        second.checks = after;
        second.cancelled = true;
        OnboardingHistoryModel history;
        QAbstractItemModelTester historyTester(&history, mode);
        history.setReports({second, first});
        QCOMPARE(history.columnCount(), OnboardingHistoryModel::FirstCheck + 3);
        QCOMPARE(history.rowOfRun(1), 1);
        QCOMPARE(history.index(0, OnboardingHistoryModel::Result).data().toString(),
                 QStringLiteral("Cancelled"));
        QCOMPARE(history.index(1, OnboardingHistoryModel::Result).data().toString(),
                 QStringLiteral("Passed"));
        history.clear();
        QCOMPARE(history.rowCount(), 0);

        OnboardingChangesModel changes;
        QAbstractItemModelTester changesTester(&changes, mode);
        changes.setChanges({{QStringLiteral("u1"), QStringLiteral("ok: a"),
                             QStringLiteral("http-error")}});
        QCOMPARE(changes.rowCount(), 1);
        QVERIFY(!changes.index(0, OnboardingChangesModel::After)
                     .data(Qt::DecorationRole)
                     .value<QIcon>()
                     .isNull());
        changes.clear();
        QCOMPARE(changes.rowCount(), 0);
    }
};

QTEST_MAIN(tst_OnboardingPanel)
#include "tst_onboardingpanel.moc"
