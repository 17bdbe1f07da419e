// The monitor page against a real DCS: two live partners served by in-process partner
// simulators, real /event calls over loopback HTTP, the page's own poll timer. Driven with
// QTest input: filter, select, open the waterfall and "This /event", copy as curl, scroll away
// from the newest rows, pause and resume.
#include "common/appidentity.h"
#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "monitor/livetransfermodel.h"
#include "monitor/monitorfeed.h"
#include "monitor/monitorpage.h"
#include "monitor/transfercurl.h"
#include "monitor/transfercolumns.h"
#include "monitor/transferdetailview.h"
#include "monitor/transferfilter.h"
#include "monitor/waterfallwidget.h"
#include "partners/partnerendpoint.h"
#include "partners/partnerrequest.h"
#include "partners/partnersigning.h"
#include "partnersimulator.h"
#include "storage/partnerrepository.h"
#include "transfer/transferengine.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QWheelEvent>

#include <memory>

using namespace Dcs;

namespace {

constexpr int kWaitMs = 10000;
// Generous, so that a loaded machine never turns a partner's answer into a timeout.
constexpr int kDeadlineMs = 2000;
constexpr int kPartnerTimeoutMs = 1500;
const QByteArray kSecret = QByteArrayLiteral("monitor-s3cret");

QNetworkAccessManager &network()
{
    static QNetworkAccessManager *const manager = [] {
        auto *made = new QNetworkAccessManager(qApp);
        made->setProxy(QNetworkProxy::NoProxy);
        return made;
    }();
    return *manager;
}

// One /event over HTTP; returns the answer's tid ("" on failure). Each call is a new visitor.
QString callEvent(quint16 port)
{
    QUrl url(QStringLiteral("http://127.0.0.1/event"));
    url.setPort(port);
    url.setQuery(QStringLiteral("d_rtbd=json&d_cts=1&c_section=sports"));
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    std::unique_ptr<QNetworkReply> reply(network().get(request));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!finished.wait(kWaitMs))
        return {};
    return QJsonDocument::fromJson(reply->readAll())
        .object()
        .value(QStringLiteral("tid"))
        .toString();
}

// A synthetic attempt for the feed (scrolling and pausing need many rows, not real calls).
TransferRecord synthetic(int i)
{
    TransferRecord record;
    record.eventId = 1'000'000 + i;
    record.startMs = QDateTime::currentMSecsSinceEpoch();
    record.tid = QStringLiteral("synthetic-%1").arg(i);
    record.uuid = QStringLiteral("visitor-%1").arg(i);
    record.partnerId = 99;
    record.dpid = 9999;
    record.partnerName = QStringLiteral("Synthetic");
    record.deadlineMs = 100;
    record.budgetMs = 50;
    record.outcome = TransferOutcome::Empty;
    record.totalUs = 1000 + i;
    return record;
}

QString headerValue(const QByteArray &requestText, const QByteArray &name)
{
    for (const QByteArray &line : requestText.split('\n')) {
        if (line.startsWith(QByteArray(name + ':')))
            return QString::fromLatin1(line.sliced(name.size() + 1).trimmed());
    }
    return {};
}

} // namespace

class tst_MonitorPage : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<PartnerSimulator> m_acmeSim;
    std::unique_ptr<PartnerSimulator> m_betaSim;
    std::unique_ptr<DcsServer> m_server;
    int m_databases = 0;
    Partner m_acme;
    Partner m_beta;

    std::unique_ptr<MonitorPage> showPage()
    {
        auto page = std::make_unique<MonitorPage>(*m_server);
        page->resize(1300, 760);
        page->show();
        if (!QTest::qWaitForWindowExposed(page.get()))
            return nullptr;
        return page;
    }

    // `events` /event calls; returns their tids once the page shows both partners' attempts.
    QStringList callEvents(MonitorPage &page, int events)
    {
        const int before = page.model()->heldCount();
        QStringList tids;
        for (int i = 0; i < events; ++i)
            tids.append(callEvent(m_server->listener().port()));
        if (!QTest::qWaitFor([&] { return page.model()->heldCount() == before + 2 * events; },
                             kWaitMs))
            return {};
        return tids;
    }

    int rowOf(MonitorPage &page, const std::function<bool(const TransferRecord &)> &wanted)
    {
        for (int row = 0; row < page.model()->rowCount(); ++row) {
            if (wanted(page.model()->record(row)))
                return row;
        }
        return -1;
    }

    void clickRow(MonitorPage &page, int row)
    {
        QTableView *table = page.table();
        const QModelIndex index = page.model()->index(row, TransferColumns::Partner);
        table->scrollTo(index);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                          table->visualRect(index).center());
    }

    void clickTab(TransferDetailView *detail, int tab)
    {
        QTabBar *bar = detail->tabs()->tabBar();
        QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(tab).center());
    }

private Q_SLOTS:
    void initTestCase()
    {
        setApplicationIdentity();
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        SimulatorConfig acme;
        acme.secret = kSecret;
        m_acmeSim = std::make_unique<PartnerSimulator>(acme);
        QVERIFY2(m_acmeSim->listen(), qPrintable(m_acmeSim->errorString()));
        SimulatorConfig beta;
        beta.secret = kSecret;
        QString error;
        QVERIFY2(applyConfigChanges(beta, QJsonObject{{QStringLiteral("fail"),
                                                       QStringLiteral("http500=1")}},
                                    ConfigKeyStyle::Json, &error),
                 qPrintable(error));
        m_betaSim = std::make_unique<PartnerSimulator>(beta);
        QVERIFY2(m_betaSim->listen(), qPrintable(m_betaSim->errorString()));
    }

    void init()
    {
        QSettings().clear(); // each test starts from the default columns and splitters
        m_server = std::make_unique<DcsServer>(nullptr, 1);
        QString error;
        QVERIFY2(m_server->openStorage(
                     m_dir.filePath(QStringLiteral("m%1.sqlite").arg(++m_databases)), &error),
                 qPrintable(error));
        PartnerRepository partners(*m_server->storage());
        const auto make = [](const QString &name, qint64 dpid, quint16 port) {
            Partner partner;
            partner.name = name;
            partner.dpid = dpid;
            partner.endpoint = QStringLiteral("http://127.0.0.1:%1/lookup").arg(port);
            partner.mode = Partner::Mode::Live;
            partner.timeoutMs = kPartnerTimeoutMs;
            return partner;
        };
        m_acme = make(QStringLiteral("Acme"), 1955, m_acmeSim->port());
        m_beta = make(QStringLiteral("Beta"), 2077, m_betaSim->port());
        QVERIFY(partners.save(m_acme, kSecret).ok);
        QVERIFY(partners.save(m_beta, kSecret).ok);
        m_server->reloadPartners();
        WorkspaceSettings settings = m_server->workspaceSettings();
        settings.deadlineMs = kDeadlineMs;
        QVERIFY(m_server->applyWorkspaceSettings(settings).ok);
        QVERIFY2(m_server->startListener(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    }

    void cleanup() { m_server.reset(); }

    void filterNarrowsTheRows()
    {
        const auto page = showPage();
        QVERIFY(page);
        QVERIFY(page->isPolling());
        QCOMPARE(callEvents(*page, 3).size(), 3);
        QCOMPARE(page->model()->rowCount(), 6);

        QTest::keyClicks(page->filterBar()->textEdit(), QStringLiteral("beta"));
        QCOMPARE(page->model()->rowCount(), 3);
        for (int row = 0; row < 3; ++row) {
            QCOMPARE(page->model()->record(row).partnerName, QStringLiteral("Beta"));
            QCOMPARE(page->model()->record(row).outcome, TransferOutcome::HttpError);
        }
        QVERIFY2(page->statusLabel()->text().startsWith(QStringLiteral("3 of 6 transfers")),
                 qPrintable(page->statusLabel()->text()));
        // New calls go through the filter as they arrive.
        QCOMPARE(callEvents(*page, 1).size(), 1);
        QCOMPARE(page->model()->rowCount(), 4);

        // The outcome box, by keyboard: "OK" rows of Acme only once the text is gone.
        page->filterBar()->textEdit()->clear();
        QCOMPARE(page->model()->rowCount(), 8);
        QComboBox *outcome = page->filterBar()->outcomeBox();
        outcome->setFocus();
        QTest::keyClick(outcome, Qt::Key_Down); // "All outcomes" -> "OK"
        QCOMPARE(page->filterBar()->filter().outcome, std::optional(TransferOutcome::Ok));
        QCOMPARE(page->model()->rowCount(), 4);
        QCOMPARE(page->model()->record(0).partnerName, QStringLiteral("Acme"));
    }

    void selectingARowShowsItsWaterfallAndItsEvent()
    {
        const auto page = showPage();
        QVERIFY(page);
        const QStringList tids = callEvents(*page, 2);
        QCOMPARE(tids.size(), 2);
        TransferDetailView *detail = page->detailView();
        QVERIFY(!detail->hasRecord());

        // The first successful call keeps its request (1 in 100 are sampled).
        const int acmeRow = rowOf(*page, [&](const TransferRecord &record) {
            return record.partnerName == QStringLiteral("Acme") && record.tid == tids.first();
        });
        QVERIFY(acmeRow >= 0);
        const TransferRecord acme = page->model()->record(acmeRow);
        QCOMPARE(acme.outcome, TransferOutcome::Ok);
        QVERIFY(!acme.requestText.isEmpty());
        clickRow(*page, acmeRow);
        QVERIFY(detail->hasRecord());
        QCOMPARE(detail->record().sequence, acme.sequence);
        QCOMPARE(detail->summaryValue(QStringLiteral("Partner")),
                 QStringLiteral("Acme, DPID 1955"));
        QCOMPARE(detail->summaryValue(QStringLiteral("tid")), acme.tid);
        QCOMPARE(detail->summaryValue(QStringLiteral("Budget")),
                 QStringLiteral("%1 ms of the %2 ms deadline")
                     .arg(acme.budgetMs)
                     .arg(kDeadlineMs));
        QVERIFY(acme.budgetMs > 1000 && acme.budgetMs <= kPartnerTimeoutMs);

        clickTab(detail, TransferDetailView::WaterfallTab);
        QCOMPARE(detail->tabs()->currentIndex(), int(TransferDetailView::WaterfallTab));
        WaterfallWidget reference;
        reference.setRecord(acme);
        QCOMPARE(detail->waterfall()->textSummary(), reference.textSummary());
        const QString summary = detail->waterfall()->textSummary();
        QVERIFY2(summary.contains(QStringLiteral("queue ")), qPrintable(summary));
        QVERIFY(summary.contains(QStringLiteral("parse ")));
        QVERIFY(summary.contains(QStringLiteral("budget %1")
                                     .arg(TransferColumns::formatMs(acme.budgetMs * 1000))));
        QVERIFY(summary.contains(QStringLiteral("deadline %1")
                                     .arg(TransferColumns::formatMs(kDeadlineMs * 1000))));

        // The request, pretty-printed, signature masked.
        clickTab(detail, TransferDetailView::RequestTab);
        const QString request = detail->requestEdit()->toPlainText();
        QVERIFY2(request.startsWith(QStringLiteral("POST /lookup HTTP/1.1\n")),
                 qPrintable(request));
        QVERIFY(request.contains(QStringLiteral("X-DCS-Signature: sha256=<masked>")));
        QVERIFY(request.contains(QStringLiteral("\n{\n  \"tid\": \"%1\",\n").arg(acme.tid)));
        QVERIFY(detail->answerEdit()->toPlainText().startsWith(QStringLiteral("HTTP/1.1 200")));

        // This /event: both partners side by side, this one highlighted in the table.
        clickTab(detail, TransferDetailView::EventTab);
        QTRY_VERIFY(!detail->isLookingUp());
        QCOMPARE(detail->eventAttempts().size(), 2);
        const QString lanes = detail->eventWaterfall()->textSummary();
        QVERIFY2(lanes.contains(QStringLiteral("Acme: OK in ")), qPrintable(lanes));
        QVERIFY(lanes.contains(QStringLiteral("Beta: HTTP error in ")));
        QTableView *attempts = detail->eventTable();
        QCOMPARE(attempts->model()->rowCount(), 2);
        QCOMPARE(attempts->currentIndex().row(), 0); // Acme sorts first

        // Clicking Beta's call shows it, and selects it in the live table too.
        const QModelIndex betaCell = attempts->model()->index(1, TransferColumns::Outcome);
        QTest::mouseClick(attempts->viewport(), Qt::LeftButton, {},
                          attempts->visualRect(betaCell).center());
        QCOMPARE(detail->record().partnerName, QStringLiteral("Beta"));
        QCOMPARE(detail->record().tid, acme.tid);
        QCOMPARE(page->model()->record(page->table()->currentIndex().row()).partnerName,
                 QStringLiteral("Beta"));
        QCOMPARE(detail->eventAttempts().size(), 2);

        // The second Acme call was not sampled: the pane says so instead of an empty text.
        const int unsampled = rowOf(*page, [&](const TransferRecord &record) {
            return record.partnerName == QStringLiteral("Acme") && record.tid == tids.last();
        });
        QVERIFY(unsampled >= 0);
        QVERIFY(page->model()->record(unsampled).requestText.isEmpty());
        clickRow(*page, unsampled);
        clickTab(detail, TransferDetailView::RequestTab);
        QVERIFY2(detail->requestNote()->text().startsWith(QStringLiteral("Not kept for this "
                                                                         "call")),
                 qPrintable(detail->requestNote()->text()));
        QVERIFY(detail->requestEdit()->isHidden());
    }

    void eventFallsBackToTheTransferLog()
    {
        const auto page = showPage();
        QVERIFY(page);
        const QStringList tids = callEvents(*page, 1);
        QCOMPARE(tids.size(), 1);
        const TransferRecord acme = page->model()->record(
            rowOf(*page, [](const TransferRecord &record) {
                return record.partnerName == QStringLiteral("Acme");
            }));
        // The feed forgets every attempt: only the log still has Beta's.
        m_server->monitorFeed().transfers().clear();
        TransferDetailView *detail = page->detailView();
        QSignalSpy changed(detail, &TransferDetailView::eventAttemptsChanged);
        detail->setRecord(acme);
        QCOMPARE(detail->eventAttempts().size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(detail->eventAttempts().size(), 2, kWaitMs);
        QCOMPARE(changed.size(), 1);
        QStringList partners;
        for (const TransferRecord &attempt : detail->eventAttempts())
            partners.append(attempt.partnerName);
        QCOMPARE(partners, (QStringList{QStringLiteral("Acme"), QStringLiteral("Beta")}));
        QVERIFY(detail->eventWaterfall()->textSummary().contains(
            QStringLiteral("Beta: HTTP error in ")));
    }

    void copyAsCurlMasksTheSignatureUnlessAsked()
    {
        const auto page = showPage();
        QVERIFY(page);
        QCOMPARE(callEvents(*page, 1).size(), 1);
        // Beta failed: its request is always kept.
        const int row = rowOf(*page, [](const TransferRecord &record) {
            return record.partnerName == QStringLiteral("Beta");
        });
        QVERIFY(row >= 0);
        const TransferRecord beta = page->model()->record(row);
        QVERIFY(!beta.requestText.isEmpty());
        QApplication::clipboard()->clear();
        QSignalSpy messages(page.get(), &MonitorPage::statusMessage);

        std::unique_ptr<QMenu> menu(page->createContextMenu(page->model()->index(row, 0)));
        QAction *copyCurl = nullptr;
        QAction *copyRevealed = nullptr;
        for (QAction *action : menu->actions()) {
            if (action->text() == QStringLiteral("Copy as curl"))
                copyCurl = action;
            if (action->text() == QStringLiteral("Copy as curl with Signature"))
                copyRevealed = action;
        }
        QVERIFY(copyCurl && copyRevealed);
        copyCurl->trigger();
        const QString masked = QApplication::clipboard()->text();
        QVERIFY2(masked.startsWith(QStringLiteral("curl ")), qPrintable(masked));
        QVERIFY(masked.contains(QStringLiteral("'X-DCS-Signature: sha256=<masked>'")));
        QVERIFY(masked.contains(QStringLiteral("'X-DCS-Tid: %1'").arg(beta.tid))
                || masked.contains(QStringLiteral("X-DCS-Tid: %1").arg(beta.tid)));
        QVERIFY(masked.endsWith(QStringLiteral("http://127.0.0.1:%1/lookup")
                                    .arg(m_betaSim->port())));
        QVERIFY(masked.contains(QStringLiteral("\"uuid\":\"%1\"").arg(beta.uuid)));
        QCOMPARE(messages.last().first().toString(),
                 QStringLiteral("Copied the curl command (signature masked)"));

        // Asked explicitly: the real signature, valid for the body and timestamp as sent.
        copyRevealed->trigger();
        QTRY_VERIFY(QApplication::clipboard()->text() != masked);
        const QString revealed = QApplication::clipboard()->text();
        const QRegularExpressionMatch signature
            = QRegularExpression(QStringLiteral("X-DCS-Signature: (sha256=[0-9a-f]{64})"))
                  .match(revealed);
        QVERIFY2(signature.hasMatch(), qPrintable(revealed));
        const QByteArray body
            = beta.requestText.sliced(beta.requestText.indexOf("\r\n\r\n") + 4);
        QVERIFY(PartnerSigning::verify(
            kSecret, headerValue(beta.requestText, "X-DCS-Timestamp").toLatin1(), body,
            signature.captured(1).toLatin1()));
        QCOMPARE(messages.last().first().toString(),
                 QStringLiteral("Copied the curl command with its signature"));

        // The detail pane's button does the same for the transfer on show.
        clickRow(*page, row);
        QApplication::clipboard()->clear();
        page->detailView()->copyCurlAction()->trigger();
        QCOMPARE(QApplication::clipboard()->text(), masked);
    }

    void scrollingUpStopsFollowingAndEndFollowsAgain()
    {
        const auto page = showPage();
        QVERIFY(page);
        QTableView *table = page->table();
        QScrollBar *bar = table->verticalScrollBar();
        TransferFeed &feed = m_server->monitorFeed().transfers();
        for (int i = 0; i < 400; ++i)
            feed.append(synthetic(i));
        page->pollNow();
        QCOMPARE(page->model()->rowCount(), 400);
        QVERIFY(page->isFollowingTail());
        QTRY_VERIFY(bar->maximum() > 0);
        QCOMPARE(bar->value(), bar->maximum());

        // The capacity box, by keyboard: keep 500.
        QSpinBox *capacity = page->capacitySpin();
        capacity->setFocus();
        capacity->selectAll();
        QTest::keyClicks(capacity, QStringLiteral("500"));
        QTest::keyClick(capacity, Qt::Key_Return);
        QCOMPARE(page->model()->capacity(), 500);
        QCOMPARE(AppSettings().monitorCapacity(), 500);

        // The wheel, upwards: following stops.
        QSignalSpy messages(page.get(), &MonitorPage::statusMessage);
        const QPoint centre = table->viewport()->rect().center();
        QWheelEvent wheel(centre, table->viewport()->mapToGlobal(centre), QPoint(),
                          QPoint(0, 360), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase,
                          false);
        QApplication::sendEvent(table->viewport(), &wheel);
        QVERIFY(bar->value() < bar->maximum());
        QVERIFY(!page->isFollowingTail());
        QVERIFY(!page->followAction()->isChecked());
        QVERIFY(messages.last().first().toString().startsWith(QStringLiteral("Stopped")));

        // Rows come and the oldest go: the rows in view stay where they are.
        const qint64 topSequence
            = table->indexAt(QPoint(2, 2)).data(LiveTransferModel::SequenceRole).toLongLong();
        for (int i = 400; i < 600; ++i)
            feed.append(synthetic(i));
        page->pollNow();
        QCOMPARE(page->model()->rowCount(), 500);
        QCOMPARE(table->indexAt(QPoint(2, 2)).data(LiveTransferModel::SequenceRole).toLongLong(),
                 topSequence);
        QVERIFY(!page->isFollowingTail());

        // End: the newest again, followed.
        table->setFocus();
        QTest::keyClick(table, Qt::Key_End);
        QVERIFY(page->isFollowingTail());
        QCOMPARE(bar->value(), bar->maximum());
        for (int i = 600; i < 650; ++i)
            feed.append(synthetic(i));
        page->pollNow();
        QCOMPARE(bar->value(), bar->maximum());
        const QModelIndex last = page->model()->index(499, TransferColumns::Tid);
        QVERIFY(table->viewport()->rect().intersects(table->visualRect(last)));
        QCOMPARE(last.data().toString(), QStringLiteral("synthetic-649"));
    }

    void pauseStopsRowsFromArriving()
    {
        const auto page = showPage();
        QVERIFY(page);
        TransferFeed &feed = m_server->monitorFeed().transfers();
        for (int i = 0; i < 20; ++i)
            feed.append(synthetic(i));
        QTRY_COMPARE(page->model()->rowCount(), 20);

        page->table()->setFocus();
        QTest::keyClick(page->table(), Qt::Key_Space);
        QVERIFY(page->isPaused());
        QVERIFY(page->pauseAction()->isChecked());
        QCOMPARE(page->pauseAction()->text(), QStringLiteral("&Resume"));
        for (int i = 20; i < 70; ++i)
            feed.append(synthetic(i));
        page->pollNow();
        page->pollNow();
        QCOMPARE(page->model()->rowCount(), 20);
        QVERIFY2(page->statusLabel()->text().endsWith(QStringLiteral("paused, 50 waiting")),
                 qPrintable(page->statusLabel()->text()));

        QSignalSpy messages(page.get(), &MonitorPage::statusMessage);
        QTest::keyClick(page->table(), Qt::Key_P, Qt::ControlModifier);
        QVERIFY(!page->isPaused());
        QCOMPARE(page->model()->rowCount(), 70); // caught up at once
        QCOMPARE(messages.last().first().toString(), QStringLiteral("Resumed"));
    }

    void keyboardCopyFindAndContextFilter()
    {
        const auto page = showPage();
        QVERIFY(page);
        const QStringList tids = callEvents(*page, 2);
        QCOMPARE(tids.size(), 2);
        QTableView *table = page->table();

        // Ctrl+F: to the search field.
        table->setFocus();
        QTest::keyClick(table, Qt::Key_F, Qt::ControlModifier);
        QCOMPARE(QApplication::focusWidget(), page->filterBar()->textEdit());

        // Ctrl+C on two selected rows: a header line and the two rows, tab-separated.
        page->setFollowingTail(false);
        clickRow(*page, 0);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::ShiftModifier,
                          table->visualRect(page->model()->index(1, 0)).center());
        QApplication::clipboard()->clear();
        QTest::keyClick(table, Qt::Key_C, Qt::ControlModifier);
        const QStringList lines
            = QApplication::clipboard()->text().split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines.first(), QStringLiteral("Time\ttid\tVisitor\tPartner\tOutcome\tBudget\t"
                                               "Latency\tCodes"));
        QCOMPARE(lines.at(1).split(u'\t').at(1), page->model()->record(0).tid);
        QCOMPARE(lines.at(2).split(u'\t').at(3), page->model()->record(1).partnerName);

        // The context menu narrows to one partner, then to one /event.
        const int betaRow = rowOf(*page, [](const TransferRecord &record) {
            return record.partnerName == QStringLiteral("Beta");
        });
        std::unique_ptr<QMenu> menu(page->createContextMenu(page->model()->index(betaRow, 0)));
        QAction *byPartner = nullptr;
        QAction *byTid = nullptr;
        for (QAction *action : menu->actions()) {
            if (action->text() == QStringLiteral("Filter by Partner “Beta”"))
                byPartner = action;
            if (action->text().startsWith(QStringLiteral("Filter by tid")))
                byTid = action;
        }
        QVERIFY(byPartner && byTid);
        const QString betaTid = page->model()->record(betaRow).tid;
        byPartner->trigger();
        QCOMPARE(page->model()->rowCount(), 2);
        QCOMPARE(page->filterBar()->partnerBox()->currentData().toLongLong(), qint64(2077));
        byTid->trigger();
        QCOMPARE(page->model()->rowCount(), 1);
        QCOMPARE(page->filterBar()->tidEdit()->text(), betaTid);
        QCOMPARE(page->model()->record(0).tid, betaTid);
    }

    void columnsSortAndSplittersPersist()
    {
        QList<int> sizes;
        {
            const auto page = showPage();
            QVERIFY(page);
            page->table()->setColumnHidden(TransferColumns::Visitor, true);
            page->table()->horizontalHeader()->setSortIndicator(TransferColumns::Latency,
                                                                Qt::DescendingOrder);
            QCOMPARE(page->model()->sortColumn(), int(TransferColumns::Latency));
            QVERIFY(!page->followAction()->isEnabled()); // no tail to follow in that order
            page->detailSplitter()->setSizes({900, 300});
            sizes = page->detailSplitter()->sizes();
        }
        const auto again = showPage();
        QVERIFY(again);
        QVERIFY(again->table()->isColumnHidden(TransferColumns::Visitor));
        QCOMPARE(again->model()->sortColumn(), int(TransferColumns::Latency));
        QCOMPARE(again->model()->sortOrder(), Qt::DescendingOrder);
        QCOMPARE(again->detailSplitter()->sizes(), sizes);
    }

    // "Copy as curl" rebuilds the request the engine sent (PartnerRequest::build, as onboarding
    // does): the same command as the original request's, for both styles.
    void curlRebuildsTheRequestAsSent_data()
    {
        QTest::addColumn<int>("style");
        QTest::addColumn<QString>("endpoint");
        QTest::newRow("json-post") << int(Partner::Style::JsonPost)
                                   << QStringLiteral("https://partner.example/rt?v=2");
        QTest::newRow("get-template")
            << int(Partner::Style::GetTemplate)
            << QStringLiteral("http://127.0.0.1:9101/seg/${DPID}/${UUID}?pid=${DPUUID}&t=${TID}"
                              "&m=${TMAX}&ts=${TS}");
    }

    void curlRebuildsTheRequestAsSent()
    {
        QFETCH(int, style);
        QFETCH(QString, endpoint);
        Partner partner;
        partner.id = 7;
        partner.name = QStringLiteral("Gamma");
        partner.dpid = 4242;
        partner.style = Partner::Style(style);
        partner.endpoint = endpoint;
        partner.forwardedKeys = {QStringLiteral("c_a"), QStringLiteral("c_b")};
        partner.hasStoredSecret = true;
        PartnerCall call;
        call.tid = QStringLiteral("31ZpxW5bQGc=");
        call.uuid = QStringLiteral("06150000000000000009977");
        call.dpuuid = QStringLiteral("u 88/12"); // needs encoding in a URL
        call.tmaxMs = 62;
        call.timestampMs = 1'763'820'000'123;
        call.signalList = {{QStringLiteral("c_a"), {QStringLiteral("x"), QStringLiteral("y")}},
                           {QStringLiteral("c_b"), {QStringLiteral("z")}}};
        const PartnerRequest sent = PartnerRequest::build(PartnerEndpoint::forPartner(partner),
                                                          partner, call, kSecret);
        QVERIFY(sent.isValid());
        TransferRecord record;
        record.tid = call.tid;
        record.uuid = call.uuid;
        record.partnerId = partner.id;
        record.dpid = partner.dpid;
        record.startMs = call.timestampMs;
        record.budgetMs = call.tmaxMs;
        record.deadlineMs = 100;
        record.outcome = TransferOutcome::HttpError;
        record.requestText = sent.maskedText();

        const TransferCurl::Result masked = TransferCurl::command(record, partner, {}, false);
        QCOMPARE(masked.command, sent.curlCommand(false));
        QVERIFY(masked.note.isEmpty());
        QVERIFY(!masked.revealed);
        const TransferCurl::Result revealed
            = TransferCurl::command(record, partner, kSecret, true);
        QCOMPARE(revealed.command, sent.curlCommand(true));
        QVERIFY(revealed.revealed);
        QVERIFY(revealed.command.contains(QString::fromLatin1(sent.header("X-DCS-Signature"))));
        // Asked to reveal without a secret: masked, and said so.
        const TransferCurl::Result noSecret = TransferCurl::command(record, partner, {}, true);
        QCOMPARE(noSecret.command, sent.curlCommand(false));
        QVERIFY(noSecret.note.contains(QStringLiteral("No secret")));

        // Not sampled: rebuilt from the record, without what only the text had.
        record.requestText.clear();
        const TransferCurl::Result rebuilt = TransferCurl::command(record, partner, {}, false);
        QVERIFY(rebuilt.note.startsWith(QStringLiteral("Rebuilt from the record")));
        PartnerCall bare = call;
        bare.dpuuid.clear();
        bare.signalList.clear();
        QCOMPARE(rebuilt.command, PartnerRequest::build(PartnerEndpoint::forPartner(partner),
                                                        partner, bare, kSecret)
                                      .curlCommand(false));

        // Cut short by the sample's size bound: rebuilt from the record too.
        record.requestText = sent.maskedText().first(sent.maskedText().size() - 3);
        QCOMPARE(TransferCurl::command(record, partner, {}, false).command, rebuilt.command);

        // Never sent: no command.
        record.outcome = TransferOutcome::Skipped;
        const TransferCurl::Result skipped = TransferCurl::command(record, partner, {}, false);
        QVERIFY(skipped.command.isEmpty());
        QVERIFY(skipped.note.startsWith(QStringLiteral("No request was sent")));
    }

    void pollsOnlyWhileActiveAndShown()
    {
        const auto page = showPage();
        QVERIFY(page);
        QVERIFY(page->isPolling());
        page->setActive(false);
        QVERIFY(!page->isPolling());
        page->setActive(true);
        QVERIFY(page->isPolling());
        page->hide();
        QVERIFY(!page->isPolling());
        page->show();
        QVERIFY(page->isPolling());

        // The room for the health strip and the charts: above the table, in that order.
        auto *strip = new QLabel(QStringLiteral("strip"));
        auto *charts = new QLabel(QStringLiteral("charts"));
        page->setCharts(charts);
        page->setHealthStrip(strip);
        QCOMPARE(page->splitter()->count(), 3);
        QCOMPARE(page->splitter()->widget(0), strip);
        QCOMPARE(page->splitter()->widget(1), charts);
    }
};

QTEST_MAIN(tst_MonitorPage)
#include "tst_monitorpage.moc"
