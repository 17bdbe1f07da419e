// The partners page driven as an admin would: keys typed into the real editor, the real mode
// switch and its confirmation, against a real DCS (SQLite file, listener on loopback, transfer
// engine) and a real partner simulator in process.
#include "common/appidentity.h"
#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "partners/modechangedialog.h"
#include "partners/partnereditor.h"
#include "partners/partnerlistmodel.h"
#include "partners/partnerspage.h"
#include "partners/shadowcodesmodel.h"
#include "partners/shadowcomparisonmodel.h"
#include "partners/shadowresultsview.h"
#include "partnersimulator.h"
#include "storage/partnerrepository.h"
#include "storage/storage.h"
#include "storage/transferlog.h"
#include "transfer/transferengine.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QDateTime>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPushButton>
#include <QSignalSpy>
#include <QPointer>
#include <QSortFilterProxyModel>
#include <QSqlQuery>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace Dcs;

namespace {

constexpr int kWaitMs = 20000;

template <typename T>
T *child(QObject &parent, const char *name)
{
    return parent.findChild<T *>(QLatin1StringView(name));
}

std::optional<Partner> activePartner(DcsServer &server, qint64 id)
{
    for (const Partner &partner : server.transferEngine()->activePartners()) {
        if (partner.id == id)
            return partner;
    }
    return std::nullopt;
}

qint64 currentId(const PartnersPage &page)
{
    return page.currentPartner().value_or(Partner{}).id;
}

// A dialog the page opened (window-modal, not blocking): waits until it is on screen.
template <typename T>
T *waitForDialog(QWidget &page, const char *name)
{
    T *found = nullptr;
    const auto visible = [&] {
        for (T *dialog : page.findChildren<T *>(QLatin1StringView(name))) {
            if (dialog->isVisible())
                found = dialog;
        }
        return found != nullptr;
    };
    return QTest::qWaitFor(visible, kWaitMs) ? found : nullptr;
}

} // namespace

class tst_PartnersPage : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<DcsServer> m_server;
    std::unique_ptr<PartnerSimulator> m_simulator;
    int m_counter = 0;

    QString simulatorEndpoint() const
    {
        return QStringLiteral("http://127.0.0.1:%1/lookup").arg(m_simulator->port());
    }

    Partner storePartner(const QString &name, qint64 dpid, Partner::Mode mode,
                         const std::optional<QByteArray> &secret = std::nullopt)
    {
        Partner partner;
        partner.name = name;
        partner.dpid = dpid;
        partner.mode = mode;
        partner.endpoint = simulatorEndpoint();
        const WriteResult saved = PartnerRepository(*m_server->storage()).save(partner, secret);
        if (!saved.ok)
            qWarning("%s", qPrintable(saved.error));
        m_server->reloadPartners();
        return partner;
    }

    bool storeOnboardingRun(qint64 partnerId, const QList<OnboardingCheck> &checks)
    {
        OnboardingReport report;
        report.partnerId = partnerId;
        report.startedMs = QDateTime::currentMSecsSinceEpoch() - 2 * 3600 * 1000;
        report.finishedMs = report.startedMs + 1000;
        report.config.calls = 5;
        report.checks = checks;
        report.p50Ms = 4;
        report.p99Ms = 9;
        const QString json = QString::fromUtf8(
            QJsonDocument(report.toJson()).toJson(QJsonDocument::Compact));
        const WriteResult result = m_server->storage()->writer().runAndWait(
            [&](WriteContext &context, QString *error) {
                QSqlQuery &insert = context.prepared(QStringLiteral(
                    "INSERT INTO onboarding_runs (partner_id, started_ms, finished_ms, report) "
                    "VALUES (?, ?, ?, ?)"));
                insert.bindValue(0, partnerId);
                insert.bindValue(1, report.startedMs);
                insert.bindValue(2, report.finishedMs);
                insert.bindValue(3, json);
                return WriteContext::exec(insert, error);
            });
        return result.ok;
    }

    // A page in a window of its own, active, so that its shortcuts work.
    std::unique_ptr<PartnersPage> showPage()
    {
        auto page = std::make_unique<PartnersPage>(*m_server);
        page->resize(1200, 800);
        page->show();
        page->activateWindow();
        if (!QTest::qWaitForWindowActive(page.get()))
            qWarning("the page's window did not become active");
        return page;
    }

    // Clicks a mode button and answers the confirmation; returns what the dialog said about
    // the onboarding test.
    QString switchMode(PartnersPage &page, Partner::Mode mode, bool accept)
    {
        QTest::mouseClick(page.modeButton(mode), Qt::LeftButton);
        QPointer<ModeChangeDialog> dialog =
            waitForDialog<ModeChangeDialog>(page, "modeChangeDialog");
        if (!dialog)
            return QStringLiteral("(no confirmation shown)");
        const QString said = dialog->testSummaryLabel()->text();
        QSignalSpy changed(&page, &PartnersPage::partnersChanged);
        QTest::mouseClick(accept ? dialog->confirmButton() : dialog->cancelButton(),
                          Qt::LeftButton);
        if (accept && !changed.wait(kWaitMs))
            return QStringLiteral("(no change stored)");
        // Closed and gone, so that the next confirmation is a new one.
        if (!QTest::qWaitFor([&] { return dialog.isNull(); }, kWaitMs))
            return QStringLiteral("(the confirmation stayed open)");
        return said;
    }

    void retypeInto(QLineEdit *edit, const QString &text)
    {
        edit->setFocus();
        QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClick(edit, Qt::Key_Delete);
        QTest::keyClicks(edit, text);
    }

    void callEvents(int count)
    {
        QNetworkAccessManager network;
        network.setProxy(QNetworkProxy::NoProxy);
        for (int i = 0; i < count; ++i) {
            QUrl url(QStringLiteral("http://127.0.0.1/event?d_rtbd=json&c_section=news"));
            url.setPort(m_server->listener().port());
            QNetworkRequest request(url);
            std::unique_ptr<QNetworkReply> reply(network.get(request));
            QSignalSpy finished(reply.get(), &QNetworkReply::finished);
            QVERIFY(finished.wait(kWaitMs));
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        setApplicationIdentity();
        QStandardPaths::setTestModeEnabled(true);
        AppSettings().setPartnersListHeaderState({});
        AppSettings().setPartnersSplitterState({});
        SimulatorConfig config;
        config.codesPerVisitor = 2;
        m_simulator = std::make_unique<PartnerSimulator>(config);
        QVERIFY2(m_simulator->listen(), qPrintable(m_simulator->errorString()));
    }

    void init()
    {
        m_server = std::make_unique<DcsServer>();
        QString error;
        const QString path = m_dir.filePath(QStringLiteral("p%1.sqlite").arg(++m_counter));
        QVERIFY2(m_server->openStorage(path, &error),
                 qPrintable(error));
        QVERIFY2(m_server->startListener(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    }

    void cleanup() { m_server.reset(); }

    void cleanupTestCase() { m_simulator.reset(); }

    void createAPartnerWithInvalidThenValidFields()
    {
        auto page = showPage();
        QAbstractItemModelTester tester(page->listModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy status(page.get(), &PartnersPage::statusMessage);
        QSignalSpy changed(page.get(), &PartnersPage::partnersChanged);
        auto *name = child<QLineEdit>(*page, "nameEdit");
        auto *dpid = child<QLineEdit>(*page, "dpidEdit");
        auto *endpoint = child<QLineEdit>(*page, "endpointEdit");
        auto *secret = child<QLineEdit>(*page, "secretEdit");
        auto *dpidMessage = child<QLabel>(*page, "dpidMessage");
        auto *endpointMessage = child<QLabel>(*page, "endpointMessage");
        auto *summary = child<QLabel>(*page, "validationSummary");
        QVERIFY(name && dpid && endpoint && secret && dpidMessage && endpointMessage && summary);

        page->listView()->setFocus();
        QTest::keyClick(page->listView(), Qt::Key_N, Qt::ControlModifier); // New
        QCOMPARE(child<QLabel>(*page, "partnerTitle")->text(), QStringLiteral("New partner"));
        QVERIFY(page->editor()->isEnabled());
        QVERIFY(!page->modeButton(Partner::Mode::Live)->isEnabled()); // not saved yet
        QTRY_VERIFY(name->hasFocus());

        QTest::keyClicks(name, QStringLiteral("Delta Data"));
        dpid->setFocus();
        QTest::keyClicks(dpid, QStringLiteral("0"));
        endpoint->setFocus();
        QTest::keyClicks(endpoint, QStringLiteral("ftp://127.0.0.1/lookup"));
        QVERIFY(!dpidMessage->isHidden());
        QVERIFY2(dpidMessage->text().startsWith(QStringLiteral("must be from 1 to")),
                 qPrintable(dpidMessage->text()));
        QVERIFY(!endpointMessage->isHidden());
        QVERIFY(!endpointMessage->text().isEmpty());
        QVERIFY2(summary->text().startsWith(QStringLiteral("2 problems to fix before saving")),
                 qPrintable(summary->text()));
        QVERIFY(summary->text().contains(QStringLiteral("DPID must be from 1")));
        QVERIFY(child<QLabel>(*page, "nameMessage")->isHidden());
        QVERIFY(!page->saveAction()->isEnabled());
        QVERIFY(!child<QWidget>(*page, "savePartnerButton")->isEnabled());
        QTest::keyClick(name, Qt::Key_S, Qt::ControlModifier); // refused: nothing stored
        QCoreApplication::processEvents();
        QCOMPARE(changed.count(), 0);
        QVERIFY(PartnerRepository(*m_server->storage()).all().isEmpty());

        retypeInto(dpid, QStringLiteral("4242"));
        QVERIFY(dpidMessage->isHidden());
        QVERIFY(!page->saveAction()->isEnabled()); // the endpoint is still wrong
        retypeInto(endpoint, simulatorEndpoint());
        QVERIFY(endpointMessage->isHidden());
        QVERIFY(summary->isHidden() || !summary->text().contains(QStringLiteral("problem")));
        secret->setFocus();
        QTest::keyClicks(secret, QStringLiteral("s3cret"));
        QVERIFY(page->saveAction()->isEnabled());

        QTest::keyClick(secret, Qt::Key_S, Qt::ControlModifier); // Save
        QVERIFY(changed.wait(kWaitMs));
        QVERIFY2(status.last().at(0).toString().startsWith(QStringLiteral("Delta Data added")),
                 qPrintable(status.last().at(0).toString()));

        const std::optional<Partner> stored = PartnerRepository(*m_server->storage()).byDpid(4242);
        QVERIFY(stored);
        QCOMPARE(stored->name, QStringLiteral("Delta Data"));
        QCOMPARE(stored->endpoint, simulatorEndpoint());
        QCOMPARE(stored->mode, Partner::Mode::Disabled);
        QVERIFY(stored->hasStoredSecret);
        QCOMPARE(PartnerRepository(*m_server->storage()).secretFor(*stored),
                 std::optional<QByteArray>("s3cret"));
        QVERIFY(!activePartner(*m_server, stored->id)); // disabled: the engine does not call it

        // The list has it, selected; the secret field is empty again and says it is stored.
        QTRY_COMPARE(page->listModel()->rowCount(), 1);
        QCOMPARE(currentId(*page), stored->id);
        QCOMPARE(page->listView()->selectionModel()->selectedRows().size(), 1);
        QCOMPARE(child<QLabel>(*page, "partnerTitle")->text(),
                 QStringLiteral("Delta Data · DPID 4242"));
        QVERIFY(secret->text().isEmpty());
        QCOMPARE(secret->placeholderText(), QStringLiteral("Stored: type to replace"));
        QVERIFY(child<QLabel>(*page, "secretState")->text().startsWith(
            QStringLiteral("A secret is stored")));
        QVERIFY(!page->saveAction()->isEnabled()); // nothing left to save
        QVERIFY(page->modeButton(Partner::Mode::Disabled)->isChecked());
    }

    void switchModesThroughTheConfirmation()
    {
        const Partner partner = storePartner(QStringLiteral("Echo"), 5150,
                                             Partner::Mode::Disabled);
        auto page = showPage();
        QTRY_COMPARE(page->listModel()->rowCount(), 1);
        QTRY_VERIFY(page->currentPartner().has_value()); // the first row is selected
        QCOMPARE(currentId(*page), partner.id);
        QTRY_COMPARE(child<QLabel>(*page, "lastTestLabel")->text(),
                     QStringLiteral("Onboarding: never tested"));

        // Disabled -> shadow: the confirmation says it was never tested.
        const QString said = switchMode(*page, Partner::Mode::Shadow, true);
        QVERIFY2(said.contains(QStringLiteral("Never tested")), qPrintable(said));
        QCOMPARE(PartnerRepository(*m_server->storage()).byId(partner.id)->mode,
                 Partner::Mode::Shadow);
        std::optional<Partner> active = activePartner(*m_server, partner.id);
        QVERIFY(active);
        QCOMPARE(active->mode, Partner::Mode::Shadow);
        QVERIFY(page->modeButton(Partner::Mode::Shadow)->isChecked());
        QCOMPARE(page->listModel()->index(0, PartnerListModel::Mode).data().toString(),
                 QStringLiteral("Shadow"));

        // A failed onboarding test, then shadow -> live refused: the mode stays.
        QVERIFY(storeOnboardingRun(
            partner.id, {{QStringLiteral("reachable"), OnboardingCheck::Result::Pass,
                          QStringLiteral("5 of 5 calls answered")},
                         {QStringLiteral("latency"), OnboardingCheck::Result::Fail,
                          QStringLiteral("p99 95 ms over the 80 ms timeout")}}));
        QSignalSpy status(page.get(), &PartnersPage::statusMessage);
        QTest::mouseClick(page->modeButton(Partner::Mode::Live), Qt::LeftButton);
        QPointer<ModeChangeDialog> dialog =
            waitForDialog<ModeChangeDialog>(*page, "modeChangeDialog");
        QVERIFY(dialog);
        QCOMPARE(dialog->targetMode(), Partner::Mode::Live);
        QVERIFY2(dialog->testSummaryLabel()->text().contains(QStringLiteral("<b>Failed</b>")),
                 qPrintable(dialog->testSummaryLabel()->text()));
        QVERIFY(dialog->testSummaryLabel()->text().contains(QStringLiteral("2 hours ago")));
        QCOMPARE(dialog->checksView()->topLevelItemCount(), 2);
        QCOMPARE(dialog->checksView()->topLevelItem(1)->text(0), QStringLiteral("latency"));
        QCOMPARE(dialog->checksView()->topLevelItem(1)->text(1), QStringLiteral("Fail"));
        QVERIFY(dialog->cancelButton()->isDefault()); // a failed test: the safe default
        QVERIFY(page->modeButton(Partner::Mode::Shadow)->isChecked()); // not yet switched
        QTest::mouseClick(dialog->cancelButton(), Qt::LeftButton);
        QTRY_VERIFY(dialog.isNull());
        QCOMPARE(status.last().at(0).toString(), QStringLiteral("Echo stays shadow"));
        QCOMPARE(PartnerRepository(*m_server->storage()).byId(partner.id)->mode,
                 Partner::Mode::Shadow);
        QCOMPARE(activePartner(*m_server, partner.id)->mode, Partner::Mode::Shadow);
        QVERIFY(page->modeButton(Partner::Mode::Shadow)->isChecked());
        QVERIFY(!page->modeButton(Partner::Mode::Live)->isChecked());

        // Accepted this time.
        const QString saidLive = switchMode(*page, Partner::Mode::Live, true);
        QVERIFY2(saidLive.contains(QStringLiteral("Failed")), qPrintable(saidLive));
        QCOMPARE(PartnerRepository(*m_server->storage()).byId(partner.id)->mode,
                 Partner::Mode::Live);
        active = activePartner(*m_server, partner.id);
        QVERIFY(active);
        QCOMPARE(active->mode, Partner::Mode::Live);
        QVERIFY(page->modeButton(Partner::Mode::Live)->isChecked());
        QVERIFY(status.last().at(0).toString().startsWith(QStringLiteral("Echo is now live")));

        // Live -> disabled: the engine stops calling it.
        switchMode(*page, Partner::Mode::Disabled, true);
        QCOMPARE(PartnerRepository(*m_server->storage()).byId(partner.id)->mode,
                 Partner::Mode::Disabled);
        QVERIFY(!activePartner(*m_server, partner.id));
    }

    void aModeChangeKeepsUnsavedEditsAsEdits()
    {
        const Partner partner = storePartner(QStringLiteral("Foxtrot"), 6100,
                                             Partner::Mode::Disabled);
        auto page = showPage();
        QTRY_VERIFY(page->currentPartner().has_value());
        auto *name = child<QLineEdit>(*page, "nameEdit");
        retypeInto(name, QStringLiteral("Foxtrot Renamed"));
        QVERIFY(page->editor()->isDirty());
        switchMode(*page, Partner::Mode::Shadow, true);
        const std::optional<Partner> stored = PartnerRepository(*m_server->storage()).byId(
            partner.id);
        QCOMPARE(stored->mode, Partner::Mode::Shadow);
        QCOMPARE(stored->name, QStringLiteral("Foxtrot")); // the edit was not saved with it
        QCOMPARE(name->text(), QStringLiteral("Foxtrot Renamed"));
        QVERIFY(page->editor()->isDirty());
        QCOMPARE(page->editor()->draft().mode, Partner::Mode::Shadow);
    }

    void aStoredSecretIsNeverShownAndCanBeRemoved()
    {
        const Partner partner = storePartner(QStringLiteral("Golf"), 7100,
                                             Partner::Mode::Disabled,
                                             QByteArray("top-secret-value"));
        QVERIFY(partner.hasStoredSecret);
        auto page = showPage();
        QTRY_VERIFY(page->currentPartner().has_value());
        auto *secret = child<QLineEdit>(*page, "secretEdit");
        QCOMPARE(secret->echoMode(), QLineEdit::Password);
        QVERIFY(secret->text().isEmpty());
        for (QLineEdit *edit : page->findChildren<QLineEdit *>())
            QVERIFY(!edit->text().contains(QStringLiteral("top-secret")));
        QCOMPARE(secret->placeholderText(), QStringLiteral("Stored: type to replace"));
        QVERIFY(!page->editor()->isDirty()); // an empty field keeps the stored secret

        auto *remove = child<QPushButton>(*page, "removeSecretButton");
        QVERIFY(remove->isEnabled());
        QTest::mouseClick(remove, Qt::LeftButton);
        QCOMPARE(child<QLabel>(*page, "secretState")->text(),
                 QStringLiteral("The stored secret is removed when you save."));
        QVERIFY(page->saveAction()->isEnabled());
        QSignalSpy changed(page.get(), &PartnersPage::partnersChanged);
        page->saveAction()->trigger();
        QVERIFY(changed.wait(kWaitMs));
        const std::optional<Partner> stored = PartnerRepository(*m_server->storage()).byId(
            partner.id);
        QVERIFY(!stored->hasStoredSecret);
        QVERIFY(!PartnerRepository(*m_server->storage()).secretFor(*stored));
        QCOMPARE(secret->placeholderText(), QStringLiteral("Not stored"));
        QVERIFY(!remove->isEnabled());
    }

    void unsavedEditsAreGuardedWhenSwitchingPartners()
    {
        const Partner hotel = storePartner(QStringLiteral("Hotel"), 8100, Partner::Mode::Disabled);
        const Partner india = storePartner(QStringLiteral("India"), 8200, Partner::Mode::Disabled);
        auto page = showPage();
        QTRY_COMPARE(page->listModel()->rowCount(), 2);
        QTRY_COMPARE(currentId(*page), hotel.id); // sorted by DPID
        auto *name = child<QLineEdit>(*page, "nameEdit");
        retypeInto(name, QStringLiteral("Hotel California"));
        QVERIFY(page->revertAction()->isEnabled());

        QTableView *view = page->listView();
        const auto clickRow = [&](int row) {
            const QRect cell = view->visualRect(view->model()->index(row, 0));
            QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, cell.center());
        };
        // Cancel: still on Hotel, edits kept.
        clickRow(1);
        QPointer<QMessageBox> guard = waitForDialog<QMessageBox>(*page, "unsavedChangesDialog");
        QVERIFY(guard);
        QTest::mouseClick(guard->button(QMessageBox::Cancel), Qt::LeftButton);
        QTRY_VERIFY(guard.isNull());
        QCOMPARE(currentId(*page), hotel.id);
        QCOMPARE(name->text(), QStringLiteral("Hotel California"));
        QCOMPARE(view->selectionModel()->selectedRows().at(0).row(), 0);

        // Discard: on to India, Hotel unchanged in storage.
        clickRow(1);
        guard = waitForDialog<QMessageBox>(*page, "unsavedChangesDialog");
        QVERIFY(guard);
        QTest::mouseClick(guard->button(QMessageBox::Discard), Qt::LeftButton);
        QTRY_COMPARE(currentId(*page), india.id);
        QCOMPARE(name->text(), QStringLiteral("India"));
        QCOMPARE(PartnerRepository(*m_server->storage()).byId(hotel.id)->name,
                 QStringLiteral("Hotel"));
        QTRY_VERIFY(guard.isNull());

        // Save: the edit is stored, then the other partner is shown.
        retypeInto(name, QStringLiteral("India Ink"));
        clickRow(0);
        guard = waitForDialog<QMessageBox>(*page, "unsavedChangesDialog");
        QVERIFY(guard);
        QSignalSpy changed(page.get(), &PartnersPage::partnersChanged);
        QTest::mouseClick(guard->button(QMessageBox::Save), Qt::LeftButton);
        QVERIFY(changed.wait(kWaitMs));
        QTRY_COMPARE(currentId(*page), hotel.id);
        QCOMPARE(PartnerRepository(*m_server->storage()).byId(india.id)->name,
                 QStringLiteral("India Ink"));
        QTRY_COMPARE(view->selectionModel()->selectedRows().at(0)
                         .data(PartnerListModel::PartnerIdRole)
                         .toLongLong(),
                     hotel.id);
    }

    void revertAndDelete()
    {
        const Partner juliet = storePartner(QStringLiteral("Juliet"), 9100, Partner::Mode::Live);
        QVERIFY(activePartner(*m_server, juliet.id));
        auto page = showPage();
        QTRY_VERIFY(page->currentPartner().has_value());
        auto *name = child<QLineEdit>(*page, "nameEdit");
        retypeInto(name, QStringLiteral("Julia"));
        QTest::keyClick(name, Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier); // Revert
        QCOMPARE(name->text(), QStringLiteral("Juliet"));
        QVERIFY(!page->editor()->isDirty());

        page->listView()->setFocus();
        QTest::keyClick(page->listView(), Qt::Key_Delete);
        auto *confirm = waitForDialog<QMessageBox>(*page, "deletePartnerDialog");
        QVERIFY(confirm);
        QSignalSpy changed(page.get(), &PartnersPage::partnersChanged);
        QTest::mouseClick(child<QPushButton>(*confirm, "confirmDeleteButton"), Qt::LeftButton);
        QVERIFY(changed.wait(kWaitMs));
        QVERIFY(!PartnerRepository(*m_server->storage()).byId(juliet.id));
        QVERIFY(!activePartner(*m_server, juliet.id));
        QTRY_COMPARE(page->listModel()->rowCount(), 0);
        QVERIFY(!page->currentPartner());
        QCOMPARE(child<QLabel>(*page, "partnerTitle")->text(),
                 QStringLiteral("No partner selected"));
    }

    void shadowResultsFromRealTraffic()
    {
        const Partner live = storePartner(QStringLiteral("Kilo"), 1100, Partner::Mode::Live);
        const Partner shadow = storePartner(QStringLiteral("Lima"), 1200, Partner::Mode::Shadow);
        callEvents(6);
        // The shadow attempts are stored once they finish (never on the visitor's clock).
        const auto storedShadowRows = [&] {
            TransferLog::Filter filter;
            filter.dpid = shadow.dpid;
            QString error;
            return TransferLog::query(m_server->storage()->reader(), filter, 100, 0, &error)
                .size();
        };
        QTRY_COMPARE_WITH_TIMEOUT(storedShadowRows(), 6, kWaitMs);

        auto page = showPage();
        QTRY_COMPARE(page->listModel()->rowCount(), 2);
        page->selectPartner(shadow.id);
        QCOMPARE(currentId(*page), shadow.id);
        ShadowResultsView *view = page->shadowResults();
        QAbstractItemModelTester comparisonTester(
            view->comparisonModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester codesTester(
            view->codesModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page->tabs()->setCurrentWidget(view); // reads the results off the GUI thread
        QTRY_COMPARE_WITH_TIMEOUT(view->comparisonModel()->rowCount(), 3, kWaitMs);
        const QAbstractItemModel *comparison = view->comparisonModel();
        QCOMPARE(comparison->index(0, ShadowComparisonModel::Partner).data().toString(),
                 QStringLiteral("Lima (shadow)"));
        QCOMPARE(comparison->index(0, ShadowComparisonModel::Events).data().toString(),
                 QStringLiteral("6"));
        QCOMPARE(comparison->index(2, ShadowComparisonModel::Partner).data().toString(),
                 QStringLiteral("Kilo (live)"));
        QCOMPARE(comparison->index(2, ShadowComparisonModel::Events).data().toString(),
                 QStringLiteral("6"));
        QVERIFY(view->codesModel()->rowCount() > 0); // the simulator gives codes to visitors
        QVERIFY2(view->headlineLabel()->text().startsWith(QStringLiteral("On 6 events")),
                 qPrintable(view->headlineLabel()->text()));
        // No onboarded traits in this workspace: every code is unmapped.
        for (int row = 0; row < view->codesModel()->rowCount(); ++row)
            QVERIFY(!view->codesModel()->codeAt(row).mapped());

        // The last hour in the list, read off the GUI thread too.
        page->refreshHourFigures();
        const int limaRow = page->listModel()->rowOf(shadow.id);
        QTRY_COMPARE(page->listModel()
                         ->index(limaRow, PartnerListModel::HourCalls)
                         .data()
                         .toString(),
                     QStringLiteral("6"));
        Q_UNUSED(live);
    }

    void tabsForOtherPanelsAndTheCurrentPartner()
    {
        const Partner mike = storePartner(QStringLiteral("Mike"), 1300, Partner::Mode::Disabled);
        PartnersPage page(*m_server);
        QSignalSpy current(&page, &PartnersPage::currentPartnerChanged);
        auto *extra = new QLabel(QStringLiteral("onboarding"));
        page.addPartnerTab(extra, QStringLiteral("Onboarding"));
        QCOMPARE(page.tabs()->count(), 3);
        QCOMPARE(page.tabs()->tabText(0), QStringLiteral("Settings"));
        QCOMPARE(page.tabs()->tabText(1), QStringLiteral("Shadow results"));
        QCOMPARE(page.tabs()->tabText(2), QStringLiteral("Onboarding"));
        QTRY_VERIFY(!current.isEmpty());
        const auto partner = current.last().at(0).value<std::optional<Partner>>();
        QVERIFY(partner);
        QCOMPARE(partner->id, mike.id);

        // The page's menu lists its actions with their standard keys.
        QCOMPARE(page.newAction()->shortcut(), QKeySequence(QKeySequence::New));
        QCOMPARE(page.saveAction()->shortcut(), QKeySequence(QKeySequence::Save));
        QCOMPARE(page.deleteAction()->shortcut(), QKeySequence(QKeySequence::Delete));
        QVERIFY(page.menu()->actions().contains(page.revertAction()));
        QVERIFY(!page.revertAction()->shortcut().isEmpty());
    }

    void columnsSortAndSplitterPersist()
    {
        storePartner(QStringLiteral("November"), 1400, Partner::Mode::Disabled);
        QByteArray splitterState;
        {
            PartnersPage page(*m_server);
            QHeaderView *header = page.listView()->horizontalHeader();
            QVERIFY(header->isSectionHidden(PartnerListModel::Endpoint)); // hidden by default
            header->setSectionHidden(PartnerListModel::Endpoint, false);
            header->setSectionHidden(PartnerListModel::Breaker, true);
            page.listView()->sortByColumn(PartnerListModel::Name, Qt::DescendingOrder);
            auto *splitter = child<QSplitter>(page, "partnersSplitter");
            splitter->setSizes({300, 700});
            splitterState = splitter->saveState();
        }
        PartnersPage again(*m_server);
        QHeaderView *header = again.listView()->horizontalHeader();
        QVERIFY(!header->isSectionHidden(PartnerListModel::Endpoint));
        QVERIFY(header->isSectionHidden(PartnerListModel::Breaker));
        QCOMPARE(header->sortIndicatorSection(), int(PartnerListModel::Name));
        QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
        QCOMPARE(child<QSplitter>(again, "partnersSplitter")->saveState(), splitterState);
    }
};

QTEST_MAIN(tst_PartnersPage)
#include "tst_partnerspage.moc"
