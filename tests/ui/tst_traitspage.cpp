// The Traits page against a real DCS (SQLite file, rules engine, listener on loopback): the
// list and folder tree under QAbstractItemModelTester, search, saving a trait as a version that
// the next /event call uses, restoring an old version, drag and drop between folders, folder
// keys, and onboarded traits created from a partner's unmapped codes.
#include "../rules/qualificationfixture.h"
#include "common/appidentity.h"
#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "rules/rulecodeedit.h"
#include "rules/versionhistoryview.h"
#include "storage/partnerrepository.h"
#include "storage/realizationstore.h"
#include "storage/storage.h"
#include "storage/traitrepository.h"
#include "traits/foldertreemodel.h"
#include "traits/onboardcodesdialog.h"
#include "traits/traiteditor.h"
#include "traits/traitlistmodel.h"
#include "traits/traitspage.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDateTime>
#include <QAction>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMimeData>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTreeView>
#include <QTreeWidget>

#include <algorithm>

using namespace Dcs;
using namespace Fixture;
using namespace Qt::StringLiterals;

namespace {

constexpr int kWaitMs = 20000;

int visibleRows(const TraitsPage &page)
{
    return page.listProxy()->rowCount();
}

} // namespace

class tst_TraitsPage : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<DcsServer> m_server;
    int m_counter = 0;

    std::unique_ptr<TraitsPage> showPage()
    {
        auto page = std::make_unique<TraitsPage>(*m_server);
        QSignalSpy loaded(page.get(), &TraitsPage::loaded); // before any event loop runs
        page->resize(1300, 800);
        page->show();
        page->activateWindow();
        if (!QTest::qWaitForWindowActive(page.get()))
            qWarning("the page's window did not become active");
        if (loaded.isEmpty() && !loaded.wait(kWaitMs))
            qWarning("the page did not load");
        return page;
    }

    Definitions definitions() const
    {
        Definitions defs;
        defs.folders = {folder(1, "Demo"), folder(2, "Interests", 1), folder(3, "Shopping", 1),
                        folder(4, "Partners", 1)};
        defs.traits = {trait(11, Trait::Type::Rule, 2, "c_section == \"sports\""),
                       trait(12, Trait::Type::Rule, 2, "c_section == \"news\""),
                       trait(13, Trait::Type::Rule, 3, "c_page == \"checkout\""),
                       trait(14, Trait::Type::Folder, 3, "")};
        defs.traits[0].name = u"Sports readers"_s;
        defs.traits[1].name = u"News readers"_s;
        defs.traits[1].integrationCode = u"news-ic"_s;
        defs.traits[2].name = u"Checkout"_s;
        defs.traits[3].name = u"Any shopping"_s;
        return defs;
    }

    // One real /event call; returns the sids of the traits it realized (d_cts=1 answers them).
    QList<qint64> callEvent(const QString &query)
    {
        QNetworkAccessManager network;
        network.setProxy(QNetworkProxy::NoProxy);
        QUrl url(u"http://127.0.0.1/event?d_rtbd=json&d_cts=1&"_s + query);
        url.setPort(m_server->listener().port());
        std::unique_ptr<QNetworkReply> reply(network.get(QNetworkRequest(url)));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        if (!finished.wait(kWaitMs))
            return {-1};
        const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
        QList<qint64> sids;
        for (const QJsonValue &value : answer.value(u"traits"_s).toArray())
            sids.append(value.toInteger());
        std::sort(sids.begin(), sids.end());
        return sids;
    }

private Q_SLOTS:
    void initTestCase()
    {
        setApplicationIdentity();
        QStandardPaths::setTestModeEnabled(true);
        AppSettings settings;
        for (const char *part : {"splitter", "browserSplitter", "editorSplitter", "listHeader"})
            settings.setTraitsViewState(QString::fromLatin1(part), {});
    }

    void init()
    {
        m_server = std::make_unique<DcsServer>();
        QString error;
        const QString path = m_dir.filePath(u"t%1.sqlite"_s.arg(++m_counter));
        QVERIFY2(m_server->openStorage(path, &error), qPrintable(error));
        QVERIFY2(m_server->startListener(QHostAddress::LocalHost, 0, &error), qPrintable(error));
        const WriteResult stored = storeDefinitions(*m_server->storage(), definitions());
        QVERIFY2(stored.ok, qPrintable(stored.error));
        m_server->reloadRules();
    }

    void cleanup() { m_server.reset(); }

    void listTreeAndSearch()
    {
        auto page = showPage();
        QAbstractItemModelTester listTester(page->listModel(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(page->listProxy(),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester treeTester(page->folderModel(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(page->listModel()->rowCount(), 4);
        QCOMPARE(visibleRows(*page), 4);
        // The tree: "All traits", then the folders as they nest, with counts and folder traits.
        FolderTreeModel *tree = page->folderModel();
        const QModelIndex shopping = tree->indexOf(3);
        QVERIFY(shopping.isValid());
        QCOMPARE(shopping.parent(), tree->indexOf(1));
        QCOMPARE(tree->index(shopping.row(), FolderTreeModel::Traits, shopping.parent()).data()
                     .toString(),
                 u"2"_s);
        QCOMPARE(tree->index(shopping.row(), FolderTreeModel::FolderTrait, shopping.parent())
                     .data()
                     .toString(),
                 u"14"_s);
        // The figures arrive off the GUI thread.
        QTRY_VERIFY_WITH_TIMEOUT(page->listModel()->figures(11).has_value(), kWaitMs);

        // A folder shows its traits and those of the folders below.
        page->selectFolder(2);
        QCOMPARE(visibleRows(*page), 2);
        page->selectFolder(1);
        QCOMPARE(visibleRows(*page), 4);
        page->selectFolder(0);

        // Search by name, sid, integration code or rule text.
        QTest::keyClicks(page->searchEdit(), u"sports"_s);
        QCOMPARE(visibleRows(*page), 1);
        page->searchEdit()->clear();
        QTest::keyClicks(page->searchEdit(), u"news-ic"_s);
        QCOMPARE(visibleRows(*page), 1);
        QCOMPARE(page->listProxy()->index(0, TraitListModel::Sid).data().toString(), u"12"_s);
        page->searchEdit()->clear();
        QTest::keyClicks(page->searchEdit(), u"13"_s);
        QCOMPARE(visibleRows(*page), 1);
        page->searchEdit()->clear();
        QTest::keyClicks(page->searchEdit(), u"c_page checkout"_s);
        QCOMPARE(visibleRows(*page), 1);
        page->searchEdit()->clear();
        QCOMPARE(visibleRows(*page), 4);
    }

    void saveCreatesVersionTheDcsUsesAndRestoreWorks()
    {
        auto page = showPage();
        page->selectTrait(11);
        QCOMPARE(page->currentSid(), std::optional<qint64>(11));
        TraitEditor *editor = page->editor();
        editor->ruleTabs()->setCurrentIndex(TraitEditor::CodeTab);
        RuleCodeEdit *code = editor->codeEdit();
        QCOMPARE(code->ruleText(), u"c_section == \"sports\""_s);
        code->setFocus();
        QTest::keyClick(code, Qt::Key_End, Qt::ControlModifier);
        QTest::keyClicks(code, u" OR c_section == \"golf\""_s);
        QVERIFY(editor->isDirty());
        QVERIFY(page->saveAction()->isEnabled());

        // Before the save the DCS does not know the edit.
        QCOMPARE(callEvent(u"c_section=golf"_s), QList<qint64>());

        QSignalSpy changed(page.get(), &TraitsPage::traitsChanged);
        QTest::keyClick(code, Qt::Key_S, Qt::ControlModifier); // Save
        QVERIFY(changed.wait(kWaitMs));
        QVERIFY(!editor->isDirty());
        const QList<DefinitionVersion> history = TraitRepository(*m_server->storage()).history(11);
        QCOMPARE(history.size(), 2);
        QCOMPARE(history.last().action, DefinitionVersion::Action::Edit);
        QCOMPARE(history.last().before.value(u"rule"_s).toString(), u"c_section == \"sports\""_s);
        QCOMPARE(history.last().after.value(u"rule"_s).toString(),
                 u"c_section == \"sports\" OR c_section == \"golf\""_s);
        // The next call uses the saved rule.
        QCOMPARE(callEvent(u"c_section=golf"_s), QList<qint64>{11});

        // The history view lists both versions, newest first, with the rule's diff.
        VersionHistoryView *versions = editor->historyView();
        QTRY_COMPARE(versions->list()->topLevelItemCount(), 2);
        editor->ruleTabs()->setCurrentIndex(TraitEditor::HistoryTab);
        versions->selectVersion(2);
        const QString diff = versions->diffView()->toPlainText();
        QVERIFY2(diff.contains(u"- rule: c_section == \"sports\"\n"_s), qPrintable(diff));
        QVERIFY2(diff.contains(u"+ rule: c_section == \"sports\" OR c_section == \"golf\""_s),
                 qPrintable(diff));

        // Restore version 1: the editor holds it (unsaved); saving makes version 3.
        versions->selectVersion(1);
        QTest::mouseClick(versions->restoreButton(), Qt::LeftButton);
        QCOMPARE(code->ruleText(), u"c_section == \"sports\""_s);
        QVERIFY(editor->isDirty());
        QCOMPARE(editor->ruleTabs()->currentIndex(), int(TraitEditor::VisualTab));
        changed.clear();
        page->saveAction()->trigger();
        QVERIFY(changed.wait(kWaitMs));
        const QList<DefinitionVersion> after = TraitRepository(*m_server->storage()).history(11);
        QCOMPARE(after.size(), 3);
        QCOMPARE(after.last().after.value(u"rule"_s).toString(), u"c_section == \"sports\""_s);
        QCOMPARE(callEvent(u"c_section=golf"_s), QList<qint64>());
        QTRY_COMPARE(versions->list()->topLevelItemCount(), 3);
    }

    void newTraitWithKeys()
    {
        auto page = showPage();
        page->selectFolder(3);
        page->listView()->setFocus();
        QTest::keyClick(page->listView(), Qt::Key_N, Qt::ControlModifier); // New
        QCOMPARE(page->currentSid(), std::optional<qint64>(0));
        TraitEditor *editor = page->editor();
        QLineEdit *name = editor->findChild<QLineEdit *>(u"traitNameEdit"_s);
        QTRY_VERIFY(name->hasFocus());
        QTest::keyClicks(name, u"Big baskets"_s);
        QVERIFY(!page->saveAction()->isEnabled()); // no rule yet
        editor->ruleTabs()->setCurrentIndex(TraitEditor::CodeTab);
        editor->codeEdit()->setFocus();
        QTest::keyClicks(editor->codeEdit(), u"c_basket >= 150"_s);
        QVERIFY(page->saveAction()->isEnabled());
        QSignalSpy changed(page.get(), &TraitsPage::traitsChanged);
        QTest::keyClick(editor->codeEdit(), Qt::Key_S, Qt::ControlModifier);
        QVERIFY(changed.wait(kWaitMs));
        const QList<Trait> traits = TraitRepository(*m_server->storage()).all();
        QCOMPARE(traits.size(), 5);
        const Trait &created = traits.last();
        QCOMPARE(created.name, u"Big baskets"_s);
        QCOMPARE(created.folderId, 3);
        QCOMPARE(created.rule, u"c_basket >= 150"_s);
        QCOMPARE(page->currentSid(), std::optional<qint64>(created.sid));
        QCOMPARE(TraitRepository(*m_server->storage()).history(created.sid).size(), 1);
    }

    void dragAndDropMovesTraitsAndFolders()
    {
        auto page = showPage();
        FolderTreeModel *tree = page->folderModel();
        QAbstractItemModelTester treeTester(tree,
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Drag trait 12 from the list onto "Shopping".
        const QModelIndex row = page->listModel()->index(page->listModel()->rowOf(12), 0);
        std::unique_ptr<QMimeData> data(page->listModel()->mimeData({row}));
        QVERIFY(data);
        QVERIFY(tree->canDropMimeData(data.get(), Qt::MoveAction, -1, -1, tree->indexOf(3)));
        QVERIFY(!tree->canDropMimeData(data.get(), Qt::MoveAction, -1, -1, tree->indexOf(0)));
        QSignalSpy changed(page.get(), &TraitsPage::traitsChanged);
        QVERIFY(tree->dropMimeData(data.get(), Qt::MoveAction, -1, -1, tree->indexOf(3)));
        QVERIFY(changed.wait(kWaitMs));
        QCOMPARE(TraitRepository(*m_server->storage()).bySid(12)->folderId, 3);
        QCOMPARE(TraitRepository(*m_server->storage()).history(12).size(), 2);
        // The tree and the DCS follow: folder trait 14 (Shopping) now holds trait 12 too.
        QTRY_COMPARE(tree->index(tree->indexOf(3).row(), FolderTreeModel::Traits,
                                 tree->indexOf(3).parent())
                         .data()
                         .toString(),
                     u"3"_s);
        QCOMPARE(callEvent(u"c_section=news"_s), QList<qint64>{12});
        // The DCS follows: folder trait 14 (Shopping) now stands for trait 12 too.
        const std::span<const qint64> members
            = m_server->rulesEngine()->snapshot()->folderMembers(14);
        QCOMPARE(QList<qint64>(members.begin(), members.end()), (QList<qint64>{12, 13}));

        // A folder onto another; never into itself or below itself.
        std::unique_ptr<QMimeData> folderData(tree->mimeData({tree->indexOf(2)}));
        QVERIFY(!tree->canDropMimeData(folderData.get(), Qt::MoveAction, -1, -1,
                                       tree->indexOf(2)));
        changed.clear();
        QVERIFY(tree->dropMimeData(folderData.get(), Qt::MoveAction, -1, -1, tree->indexOf(3)));
        QVERIFY(changed.wait(kWaitMs));
        QTRY_COMPARE(tree->indexOf(2).parent(), tree->indexOf(3));
        std::unique_ptr<QMimeData> parentData(tree->mimeData({tree->indexOf(3)}));
        QVERIFY(!tree->canDropMimeData(parentData.get(), Qt::MoveAction, -1, -1,
                                       tree->indexOf(2)));
    }

    void folderKeys()
    {
        auto page = showPage();
        FolderTreeModel *tree = page->folderModel();
        page->selectFolder(4);
        page->folderView()->setFocus();
        QSignalSpy loaded(page.get(), &TraitsPage::loaded);
        QTest::keyClick(page->folderView(), Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(loaded.wait(kWaitMs));
        QCOMPARE(tree->folders().size(), 5);
        const Folder created = tree->folders().last();
        QCOMPARE(created.parentId, std::optional<qint64>(4));
        // The new folder is in rename mode: type its name.
        QWidget *nameEditor = QApplication::focusWidget();
        QVERIFY(qobject_cast<QLineEdit *>(nameEditor));
        static_cast<QLineEdit *>(nameEditor)->selectAll();
        QTest::keyClicks(nameEditor, u"Bolt"_s);
        loaded.clear();
        QTest::keyClick(nameEditor, Qt::Key_Return);
        QVERIFY(loaded.wait(kWaitMs));
        QCOMPARE(tree->folder(created.id)->name, u"Bolt"_s);

        // F2 renames the selected folder.
        page->selectFolder(created.id);
        page->folderView()->setFocus();
        QTest::keyClick(page->folderView(), Qt::Key_F2);
        nameEditor = QApplication::focusWidget();
        QVERIFY(qobject_cast<QLineEdit *>(nameEditor));
        static_cast<QLineEdit *>(nameEditor)->selectAll();
        QTest::keyClicks(nameEditor, u"Bolt Audiences"_s);
        loaded.clear();
        QTest::keyClick(nameEditor, Qt::Key_Return);
        QVERIFY(loaded.wait(kWaitMs));
        QCOMPARE(tree->folder(created.id)->name, u"Bolt Audiences"_s);

        // Delete refuses a folder that holds traits, and removes an empty one.
        QSignalSpy status(page.get(), &TraitsPage::statusMessage);
        page->selectFolder(2);
        page->folderView()->setFocus();
        QTest::keyClick(page->folderView(), Qt::Key_Delete);
        QTRY_VERIFY(!status.isEmpty());
        QVERIFY2(status.last().first().toString().contains(u"not empty"_s),
                 qPrintable(status.last().first().toString()));
        QVERIFY(tree->folder(2).has_value());
        page->selectFolder(created.id);
        page->folderView()->setFocus();
        loaded.clear();
        QTest::keyClick(page->folderView(), Qt::Key_Delete);
        QVERIFY(loaded.wait(kWaitMs));
        QVERIFY(!tree->folder(created.id).has_value());
    }

    void onboardedTraitsFromUnmappedCodes()
    {
        Partner partner;
        partner.name = u"Bolt"_s;
        partner.dpid = 2077;
        partner.endpoint = u"http://127.0.0.1:9/lookup"_s;
        QVERIFY(PartnerRepository(*m_server->storage()).save(partner, std::nullopt).ok);
        // One code already mapped (trait 15), two not: bolt-1 on 3 visitors, bolt-2 on 1.
        Trait mapped = trait(15, Trait::Type::Onboarded, 4, "ic == \"bolt-0\"", 30, 2077);
        Definitions defs;
        defs.traits = {mapped};
        QVERIFY(storeDefinitions(*m_server->storage(), defs).ok);
        m_server->reloadRules();
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        const WriteResult codes = m_server->storage()->writer().runAndWait(
            [nowMs](WriteContext &context, QString *error) {
                for (int v = 0; v < 3; ++v) {
                    QStringList sent{u"bolt-0"_s, u"bolt-1"_s};
                    if (v == 0)
                        sent.append(u"bolt-2"_s);
                    if (!RealizationStore::storePartnerCodes(
                            context, u"visitor-%1"_s.arg(v), 2077, sent, nowMs,
                            Realization::Never, error))
                        return false;
                }
                // Expired: not carried any more.
                return RealizationStore::storePartnerCodes(context, u"gone"_s, 2077,
                                                           {u"bolt-3"_s}, nowMs - 10 * Day,
                                                           nowMs - Day, error);
            });
        QVERIFY2(codes.ok, qPrintable(codes.error));

        auto page = showPage();
        page->selectFolder(4);
        page->onboardAction()->trigger();
        OnboardCodesDialog *dialog = page->onboardDialog();
        QVERIFY(dialog);
        QSignalSpy loaded(dialog, &OnboardCodesDialog::codesLoaded);
        QVERIFY(loaded.wait(kWaitMs));
        QCOMPARE(dialog->codes(), (QList<PartnerTraffic::CodePopulation>{{u"bolt-1"_s, 3},
                                                                          {u"bolt-2"_s, 1}}));
        // The population is on screen before anything is created.
        QCOMPARE(dialog->codesTable()->item(0, 1)->text(), u"3"_s);
        QVERIFY(!dialog->createButton()->isEnabled());
        dialog->setChecked(u"bolt-1"_s, true);
        dialog->setChecked(u"bolt-2"_s, true);
        QVERIFY(dialog->createButton()->isEnabled());
        QSignalSpy created(dialog, &OnboardCodesDialog::traitsCreated);
        QTest::mouseClick(dialog->createButton(), Qt::LeftButton);
        QVERIFY(created.wait(kWaitMs));
        QList<Trait> onboarded;
        for (const Trait &stored : TraitRepository(*m_server->storage()).all()) {
            if (stored.type == Trait::Type::Onboarded && stored.sid != 15)
                onboarded.append(stored);
        }
        QCOMPARE(onboarded.size(), 2);
        QCOMPARE(onboarded.at(0).rule, u"ic == \"bolt-1\""_s);
        QCOMPARE(onboarded.at(0).dataSource, 2077);
        QCOMPARE(onboarded.at(0).folderId, 4);
        QCOMPARE(onboarded.at(0).name, u"Bolt: bolt-1"_s);
        QCOMPARE(onboarded.at(1).rule, u"ic == \"bolt-2\""_s);
        // Mapped now: the list empties, and the DCS maps the codes.
        QVERIFY(loaded.wait(kWaitMs));
        QCOMPARE(dialog->codes().size(), 0);
        QCOMPARE(m_server->rulesEngine()->snapshot()->onboardedTraits(2077, u"bolt-1"_s).size(),
                 size_t(1));
        QTRY_COMPARE(page->listModel()->rowCount(), 7);
    }
};

QTEST_MAIN(tst_TraitsPage)
#include "tst_traitspage.moc"
