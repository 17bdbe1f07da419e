// The visitor explorer against a real DCS: a workspace imported into a real database, a live
// partner served by an in-process simulator, /event calls over loopback HTTP with d_cts=1, then
// the visitor looked up as a user would (typing a UUID, a tid or a declared ID and Return) and
// the explain view checked against the live answers: traits, segments, each rule part's state,
// FREQUENCY counts and the "leaves on" date. Then the links: History's "Explain Visitor" opens
// the visitor in the main window, and a partner call opens in History.
#include "common/appidentity.h"
#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "mainwindow.h"
#include "monitor/historypage.h"
#include "monitor/transferfilter.h"
#include "monitor/transferhistorymodel.h"
#include "monitor/transferlistmodel.h"
#include "partnersimulator.h"
#include "rules/realization.h"
#include "storage/partnerrepository.h"
#include "storage/storage.h"
#include "storage/workspacefile.h"
#include "visitors/visitoreventsmodel.h"
#include "visitors/visitorspage.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUrl>

#include <algorithm>

using namespace Dcs;

namespace {

constexpr int kWaitMs = 10000;
constexpr qint64 kDay = MsPerDay;
const QString kVisitor = QStringLiteral("17638200000000000000000000000000000077");

QNetworkAccessManager &network()
{
    static QNetworkAccessManager *const manager = [] {
        auto *made = new QNetworkAccessManager(qApp);
        made->setProxy(QNetworkProxy::NoProxy);
        return made;
    }();
    return *manager;
}

// One /event over HTTP with d_rtbd=json&d_cts=1; the answer ({} on failure). No cookies: the
// query says who the visitor is.
QJsonObject eventAnswer(quint16 port, const QString &query)
{
    QUrl url(QStringLiteral("http://127.0.0.1/event"));
    url.setPort(port);
    url.setQuery(QStringLiteral("d_rtbd=json&d_cts=1&") + query);
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    std::unique_ptr<QNetworkReply> reply(network().get(request));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!finished.wait(kWaitMs)
        || reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200)
        return {};
    return QJsonDocument::fromJson(reply->readAll()).object();
}

QList<qint64> ids(const QJsonValue &array)
{
    QList<qint64> out;
    for (const QJsonValue &value : array.toArray())
        out.append(value.toInteger());
    return out;
}

QList<qint64> topSids(QTreeWidget *tree, bool heldOnly = false)
{
    QList<qint64> sids;
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = tree->topLevelItem(i);
        if (!heldOnly || item->data(0, VisitorsPage::HoldsRole).toBool())
            sids.append(item->data(0, VisitorsPage::SidRole).toLongLong());
    }
    return sids;
}

QTreeWidgetItem *topItem(QTreeWidget *tree, qint64 sid)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        if (tree->topLevelItem(i)->data(0, VisitorsPage::SidRole).toLongLong() == sid)
            return tree->topLevelItem(i);
    }
    return nullptr;
}

// "text | state" of an item and everything below it, depth first, indented by depth.
QStringList outline(const QTreeWidgetItem *item, int textColumn, int stateColumn, int depth = 0)
{
    QStringList lines{QString(depth * 2, u' ') + item->text(textColumn) + QStringLiteral(" | ")
                      + item->text(stateColumn)};
    for (int i = 0; i < item->childCount(); ++i)
        lines += outline(item->child(i), textColumn, stateColumn, depth + 1);
    return lines;
}

} // namespace

class tst_VisitorsPage : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<PartnerSimulator> m_simulator;
    std::unique_ptr<DcsServer> m_server;
    QList<QJsonObject> m_answers; // the visitor's calls, oldest first
    QString m_otherVisitor;
    std::unique_ptr<VisitorsPage> m_page;
    QList<std::shared_ptr<QAbstractItemModelTester>> m_testers;

    void openPage()
    {
        m_page = std::make_unique<VisitorsPage>(*m_server);
        // The page's own models. (QTreeWidget's internal model is Qt's, and the tester refuses
        // it: its items answer the same children under every column.)
        for (QAbstractItemModel *model :
             {static_cast<QAbstractItemModel *>(m_page->eventsModel()),
              static_cast<QAbstractItemModel *>(m_page->callsModel())}) {
            m_testers.append(std::make_shared<QAbstractItemModelTester>(
                model, QAbstractItemModelTester::FailureReportingMode::QtTest));
        }
        m_page->resize(1300, 900);
        m_page->show();
        QVERIFY(QTest::qWaitForWindowActive(m_page.get())); // shortcuts need an active window
    }

    // Types `text` into the lookup field and presses Return, as a user does.
    void typeLookup(const QString &text)
    {
        QSignalSpy finished(m_page.get(), &VisitorsPage::lookupFinished);
        QLineEdit *edit = m_page->lookupEdit();
        edit->clear();
        QTest::keyClicks(edit, text);
        QTest::keyClick(edit, Qt::Key_Return);
        QTRY_COMPARE(finished.size(), 1);
    }

    qint64 realizationTime(qint64 traitSid, int index)
    {
        QSqlQuery query(m_server->storage()->reader());
        query.prepare(QStringLiteral("SELECT ts_ms FROM trait_realizations WHERE uuid = ? AND "
                                     "trait_sid = ? ORDER BY ts_ms"));
        query.addBindValue(kVisitor);
        query.addBindValue(traitSid);
        if (!query.exec())
            return -1;
        for (int i = 0; query.next(); ++i) {
            if (i == index)
                return query.value(0).toLongLong();
        }
        return -1;
    }

    // The traits every answer realized, and the segments the last one held.
    QList<qint64> answeredTraits() const
    {
        QList<qint64> traits;
        for (const QJsonObject &answer : m_answers)
            traits += ids(answer.value(QStringLiteral("traits")));
        std::sort(traits.begin(), traits.end());
        traits.erase(std::unique(traits.begin(), traits.end()), traits.end());
        return traits;
    }

    // The whole explain view for kVisitor, as the answers and the stored times say it must be.
    void verifyExplainsTheVisitor()
    {
        QCOMPARE(m_page->result().uuid, kVisitor);
        QVERIFY2(m_page->result().error.isEmpty(), qPrintable(m_page->result().error));

        // Traits held: exactly what the live answers realized.
        QCOMPARE(topSids(m_page->traitsTree()), answeredTraits());
        // Segments held: exactly the last answer's; the inactive one is not listed.
        QCOMPARE(topSids(m_page->segmentsTree(), true),
                 ids(m_answers.last().value(QStringLiteral("segments"))));
        QCOMPARE(topSids(m_page->segmentsTree()), (QList<qint64>{5001, 5002}));

        const qint64 t1 = realizationTime(1001, 0);
        const qint64 t2 = realizationTime(1001, 1);
        const qint64 t3 = realizationTime(2001, 0);
        QVERIFY(t1 > 0 && t2 >= t1 && t3 >= t2);

        // Each rule part with its state, and the counts behind FREQUENCY.
        const auto time = &VisitorsPage::formatTime;
        QCOMPARE(outline(topItem(m_page->segmentsTree(), 5001), 0, 1),
                 (QStringList{QStringLiteral("5001 Sporty car buyers | member"),
                              QStringLiteral("  1001T AND 2001T | true"),
                              QStringLiteral("    1001T Sports readers | true"),
                              QStringLiteral("    2001T Acme: auto intenders | true")}));
        QTreeWidgetItem *regular = topItem(m_page->segmentsTree(), 5002);
        QCOMPARE(outline(regular, 0, 1),
                 (QStringList{QStringLiteral("5002 Regular sports readers | member"),
                              QStringLiteral("  FREQUENCY([1001T] <= 7D) >= 2 | true")}));
        const qint64 nowMs = m_page->result().explanation.nowMs;
        QCOMPARE(regular->child(0)->text(3),
                 QStringLiteral("2 realizations since %1").arg(time(nowMs - 7 * kDay)));
        // It leaves when the older realization is more than 7 days old.
        QCOMPARE(regular->text(2), QStringLiteral("leaves %1").arg(time(t1 + 7 * kDay + 1)));
        QCOMPARE(regular->text(3), QStringLiteral("member since %1").arg(time(t2)));

        // "Leaves ... on <date> unless ...", for both.
        QStringList lines;
        for (int i = 0; i < m_page->changesList()->count(); ++i)
            lines.append(m_page->changesList()->item(i)->text());
        QCOMPARE(lines,
                 (QStringList{QStringLiteral("Leaves “Sporty car buyers” (5001) on %1 unless "
                                             "2001T Acme: auto intenders is realized again")
                                  .arg(time(realizationExpiryMs(t3, 30))),
                              QStringLiteral("Leaves “Regular sports readers” (5002) on %1 "
                                             "unless 1001T Sports readers is realized again")
                                  .arg(time(t1 + 7 * kDay + 1))}));

        // What realized each trait: the call's signals with the rule evaluated on them, d_sid.
        QTreeWidgetItem *baskets = topItem(m_page->traitsTree(), 1002);
        QVERIFY(baskets);
        QCOMPARE(baskets->childCount(), 1);
        QCOMPARE(baskets->child(0)->text(1), QStringLiteral("basket=250"));
        QCOMPARE(baskets->child(0)->text(2), time(realizationExpiryMs(t1, 30)));
        QCOMPARE(baskets->child(0)->text(3), time(t1));
        QCOMPARE(outline(baskets->child(0)->child(0), 0, 1),
                 (QStringList{QStringLiteral("Rule: basket >= 100 | true"),
                              QStringLiteral("  basket >= 100 | true · matched 250")}));
        QTreeWidgetItem *sports = topItem(m_page->traitsTree(), 1001);
        QCOMPARE(sports->childCount(), 2);
        QCOMPARE(sports->text(2), time(realizationExpiryMs(t2, 120)));
        QTreeWidgetItem *direct = topItem(m_page->traitsTree(), 2001);
        QCOMPARE(direct->child(0)->text(1), QStringLiteral("d_sid=2001"));
        QCOMPARE(direct->child(0)->text(0),
                 QStringLiteral("d_sid on a call (tid %1)")
                     .arg(m_answers.at(2).value(QStringLiteral("tid")).toString()));

        // The recent events, newest first, and their partner calls.
        QStringList tids;
        for (auto it = m_answers.crbegin(); it != m_answers.crend(); ++it)
            tids.append(it->value(QStringLiteral("tid")).toString());
        QStringList shown;
        for (const EventRecord &event : m_page->eventsModel()->events())
            shown.append(event.tid);
        QCOMPARE(shown, tids);
        QCOMPARE(m_page->callsModel()->rowCount(), 3); // Acme, once per call
        for (const TransferRecord &call : m_page->callsModel()->records()) {
            QCOMPARE(call.uuid, kVisitor);
            QVERIFY(tids.contains(call.tid));
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        setApplicationIdentity();
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        m_simulator = std::make_unique<PartnerSimulator>(); // random codes c0..c99: none mapped
        QVERIFY2(m_simulator->listen(), qPrintable(m_simulator->errorString()));

        m_server = std::make_unique<DcsServer>(nullptr, 1);
        QString error;
        QVERIFY2(m_server->openStorage(m_dir.filePath(QStringLiteral("visitors.sqlite")),
                                       &error),
                 qPrintable(error));
        QFile workspace(QStringLiteral(DCS_TEST_DATA_DIR "/workspace-rules.json"));
        QVERIFY(workspace.open(QIODevice::ReadOnly));
        const WorkspaceReport report = WorkspaceFile::import(
            *m_server->storage(), workspace.readAll(), QStringLiteral("test"));
        QVERIFY(report.ok);
        // Acme (1955) goes live on the simulator, so that each call has a partner attempt.
        PartnerRepository partners(*m_server->storage());
        std::optional<Partner> acme = partners.byDpid(1955);
        QVERIFY(acme);
        acme->endpoint = QStringLiteral("http://127.0.0.1:%1/lookup").arg(m_simulator->port());
        acme->mode = Partner::Mode::Live;
        acme->timeoutMs = 1500;
        acme->integrationCode = QStringLiteral("acme"); // d_cid_ic's name for DPID 1955
        QVERIFY(partners.save(*acme).ok);
        WorkspaceSettings settings = m_server->workspaceSettings();
        settings.deadlineMs = 2000;
        QVERIFY(m_server->applyWorkspaceSettings(settings).ok);
        m_server->reloadWorkspace();
        QVERIFY2(m_server->startListener(QHostAddress::LocalHost, 0, &error), qPrintable(error));
        const quint16 port = m_server->listener().port();

        // The visitor: sports with a big basket and a declared ID, sports again, then d_sid.
        const QString who = QStringLiteral("&d_uuid=") + kVisitor;
        const QStringList queries{
            QStringLiteral("c_section=sports&basket=250&d_cid=1955%01user-42"),
            QStringLiteral("c_section=sports"), QStringLiteral("d_sid=2001")};
        for (const QString &query : queries) {
            const QJsonObject answer = eventAnswer(port, query + who);
            QVERIFY2(!answer.isEmpty(), qPrintable(query));
            m_answers.append(answer);
        }
        // What rules.md says the answers are (the explain view is checked against them).
        QCOMPARE(ids(m_answers.at(0).value(QStringLiteral("traits"))),
                 (QList<qint64>{1001, 1002}));
        QCOMPARE(ids(m_answers.at(1).value(QStringLiteral("segments"))), QList<qint64>{5002});
        QCOMPARE(ids(m_answers.at(2).value(QStringLiteral("segments"))),
                 (QList<qint64>{5001, 5002}));
        // Someone else, for back and forward.
        m_otherVisitor = eventAnswer(port, QStringLiteral("c_section=news"))
                             .value(QStringLiteral("uuid"))
                             .toString();
        QCOMPARE(m_otherVisitor.size(), 38);
        // Every partner attempt is in the log (the engine writes them after the answers).
        QTRY_VERIFY_WITH_TIMEOUT(
            [this] {
                QSqlQuery query(m_server->storage()->reader());
                return query.exec(QStringLiteral("SELECT count(*) FROM transfers")) && query.next()
                       && query.value(0).toInt() == 4;
            }(),
            kWaitMs);
    }

    void cleanup()
    {
        m_testers.clear();
        m_page.reset();
    }

    void cleanupTestCase()
    {
        m_server.reset();
        m_simulator.reset();
    }

    void explainsAVisitorLookedUpByUuid()
    {
        openPage();
        typeLookup(kVisitor);
        verifyExplainsTheVisitor();
        QVERIFY(m_page->summaryLabel()->text().startsWith(
            QStringLiteral("Visitor %1 · first seen ").arg(kVisitor)));
        QVERIFY(m_page->summaryLabel()->text().contains(QStringLiteral("3 traits held · in 2 "
                                                                       "of 2 segments")));
    }

    void looksUpByTid()
    {
        openPage();
        typeLookup(m_answers.at(1).value(QStringLiteral("tid")).toString());
        verifyExplainsTheVisitor();
    }

    void looksUpByDeclaredId_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::newRow("DPID:ID") << QStringLiteral("1955:user-42");
        QTest::newRow("d_cid form") << QStringLiteral("1955%01user-42");
        QTest::newRow("spaces around") << QStringLiteral(" 1955 : user-42 ");
        QTest::newRow("integration code") << QStringLiteral("acme:user-42");
    }

    void looksUpByDeclaredId()
    {
        QFETCH(QString, typed);
        openPage();
        typeLookup(typed);
        verifyExplainsTheVisitor();
    }

    void saysWhenNobodyIsFound()
    {
        openPage();
        typeLookup(QStringLiteral("1955:nobody"));
        QCOMPARE(m_page->result().uuid, QString());
        QCOMPARE(m_page->summaryLabel()->text(),
                 QStringLiteral("The ID nobody of data source 1955 is linked to no visitor"));
        QCOMPARE(m_page->traitsTree()->topLevelItemCount(), 0);
        QCOMPARE(m_page->segmentsTree()->topLevelItemCount(), 0);
        QCOMPARE(m_page->eventsModel()->rowCount(), 0);
    }

    void goesBackAndForward()
    {
        openPage();
        typeLookup(kVisitor);
        typeLookup(m_otherVisitor);
        QCOMPARE(m_page->result().uuid, m_otherVisitor);
        QCOMPARE(topSids(m_page->traitsTree()), QList<qint64>{});
        QVERIFY(m_page->backAction()->isEnabled());
        QVERIFY(!m_page->forwardAction()->isEnabled());

        QSignalSpy finished(m_page.get(), &VisitorsPage::lookupFinished);
        QTest::keyClick(m_page->traitsTree(), Qt::Key_Left, Qt::AltModifier);
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(m_page->result().uuid, kVisitor);
        QCOMPARE(m_page->lookupEdit()->text(), kVisitor);
        QVERIFY(!m_page->backAction()->isEnabled());
        QVERIFY(m_page->forwardAction()->isEnabled());

        QTest::keyClick(m_page->traitsTree(), Qt::Key_Right, Qt::AltModifier);
        QTRY_COMPARE(finished.size(), 2);
        QCOMPARE(m_page->result().uuid, m_otherVisitor);
    }

    // History's context menu on a transfer opens its visitor in the Visitors page, and a
    // partner call there opens in History again.
    void historyAndVisitorsLinkBothWays()
    {
        MainWindow window(*m_server);
        window.resize(1300, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.setCurrentPage(QStringLiteral("history"));
        HistoryPage *history = window.historyPage();
        history->setTimeRange(HistoryPage::TimeRange::All);
        QTRY_COMPARE(history->model()->rowCount(), 4);
        QTRY_VERIFY(!history->model()->isLoading());
        int row = 0;
        while (history->model()->record(row).uuid != kVisitor)
            ++row;

        std::unique_ptr<QMenu> menu(history->createTableMenu(history->model()->index(row, 1)));
        auto *explain = menu->findChild<QAction *>(QStringLiteral("explainVisitorAction"));
        QVERIFY(explain);
        QCOMPARE(explain->text(), QStringLiteral("E&xplain Visitor"));
        explain->trigger();
        VisitorsPage *visitors = window.visitorsPage();
        QCOMPARE(window.currentPageId(), QStringLiteral("visitors"));
        QTRY_COMPARE(visitors->result().uuid, kVisitor);
        QCOMPARE(topSids(visitors->traitsTree()), answeredTraits());

        // A partner call: double-click opens its /event in History.
        const TransferRecord call = visitors->callsModel()->record(0);
        QTableView *calls = visitors->callsView();
        visitors->activityTabs()->setCurrentWidget(calls);
        const QRect cell = calls->visualRect(visitors->callsModel()->index(0, 1));
        QTest::mouseClick(calls->viewport(), Qt::LeftButton, {}, cell.center());
        QVERIFY(visitors->openInHistoryAction()->isEnabled());
        QTest::mouseDClick(calls->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(window.currentPageId(), QStringLiteral("history"));
        QCOMPARE(history->filterBar()->filter().tid, call.tid);
        QCOMPARE(history->timeRange(), HistoryPage::TimeRange::All);
        QTRY_COMPARE(history->model()->rowCount(), 1);
        QTRY_VERIFY(!history->model()->isLoading());
        QCOMPARE(history->model()->record(0).tid, call.tid);
    }
};

QTEST_MAIN(tst_VisitorsPage)
#include "tst_visitorspage.moc"
