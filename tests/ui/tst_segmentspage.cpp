// The segments page driven as an analyst would: rules typed into the code view, traits dropped
// into the visual view's groups, the clock set in its dialog, destinations typed, Save; against
// a real DCS (SQLite file, listener on loopback, rules engine) with seeded realizations.
#include "../rules/qualificationfixture.h"

#include "common/appidentity.h"
#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "rules/rulecodeedit.h"
#include "rules/segmentpreview.h"
#include "segments/destinationseditor.h"
#include "rules/versionhistoryview.h"
#include "segments/segmenteditor.h"
#include "segments/segmentlistmodel.h"
#include "segments/segmentpreviewpanel.h"
#include "segments/segmentrulebuilder.h"
#include "segments/segmentspage.h"
#include "segments/traitclockdialog.h"
#include "segments/traittreemodel.h"
#include "storage/segmentrepository.h"
#include "storage/sqlutil.h"
#include "storage/storage.h"

#include <QAbstractItemModelTester>
#include <QAbstractItemView>
#include <QAction>
#include <QChartView>
#include <QCompleter>
#include <QLineSeries>
#include <QComboBox>
#include <QDateTime>
#include <QDropEvent>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QPushButton>
#include <QTextBrowser>
#include <QToolButton>
#include <QTreeView>

using namespace Dcs;
using Fixture::Day;

namespace {

constexpr int kWaitMs = 20000;
constexpr qint64 kSegment = 10;
const QString kVisitor = QStringLiteral("17638200000000000000000000000000000042");

QString visitor(char letter)
{
    return QString(38, QLatin1Char(letter));
}

// Folders, traits (1 and 2 rule-based, 3 onboarded) and segment 10 = 1T with two members.
Fixture::Definitions definitions()
{
    using namespace Fixture;
    Definitions d;
    d.folders = {folder(1, "F")};
    d.traits = {trait(1, Trait::Type::Rule, 1, "c_a == \"x\""),
                trait(2, Trait::Type::Rule, 1, "c_b == \"x\""),
                trait(3, Trait::Type::Onboarded, 1, "ic == \"c\"")};
    d.segments = {segment(kSegment, "1T")};
    return d;
}

// Realizations relative to now: A 1T, B 1T and 2T (twice), C 2T, D 3T; A and B hold segment 10.
bool seed(Storage &storage)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    struct Row
    {
        QString uuid;
        qint64 sid;
        qint64 timeMs;
    };
    const QList<Row> rows{{visitor('a'), 1, now - Day},     {visitor('b'), 1, now - 3 * Day},
                          {visitor('b'), 2, now - 2 * Day}, {visitor('b'), 2, now - Day},
                          {visitor('c'), 2, now - 10 * Day}, {visitor('d'), 3, now - Day}};
    return storage.writer()
        .runAndWait([&](WriteContext &context, QString *error) {
            QSqlQuery &realization = context.prepared(QStringLiteral(
                "INSERT INTO trait_realizations (uuid, trait_sid, ts_ms, expires_ms, source) "
                "VALUES (?, ?, ?, ?, 'call')"));
            QSqlQuery &visitorRow = context.prepared(QStringLiteral(
                "INSERT OR IGNORE INTO visitors (uuid, first_seen_ms, last_seen_ms) "
                "VALUES (?, ?, ?)"));
            QSqlQuery &membership = context.prepared(QStringLiteral(
                "INSERT OR IGNORE INTO memberships (uuid, segment_sid, since_ms) "
                "VALUES (?, ?, ?)"));
            for (const Row &row : rows) {
                SqlUtil::bindAll(realization, {row.uuid, row.sid, row.timeMs,
                                               realizationExpiryMs(row.timeMs, 120)});
                SqlUtil::bindAll(visitorRow, {row.uuid, row.timeMs, row.timeMs});
                if (!WriteContext::exec(realization, error)
                    || !WriteContext::exec(visitorRow, error))
                    return false;
                if (row.sid == 1) {
                    SqlUtil::bindAll(membership, {row.uuid, kSegment, row.timeMs});
                    if (!WriteContext::exec(membership, error))
                        return false;
                }
            }
            return true;
        })
        .ok;
}

QJsonObject eventAnswer(quint16 port, const QByteArray &query)
{
    static QNetworkAccessManager *const manager = [] {
        auto *made = new QNetworkAccessManager(qApp);
        made->setProxy(QNetworkProxy::NoProxy);
        made->setCookieJar(new QNetworkCookieJar(made));
        return made;
    }();
    QUrl url(QStringLiteral("http://127.0.0.1/event"));
    url.setPort(port);
    url.setQuery(QString::fromLatin1("d_rtbd=json&" + query));
    std::unique_ptr<QNetworkReply> reply(manager->get(QNetworkRequest(url)));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!finished.wait(kWaitMs))
        return {};
    return QJsonDocument::fromJson(reply->readAll()).object();
}

// What dragging these traits from the tree and releasing over `target` delivers.
void dropTraits(TraitTreeModel *model, QWidget *target, const QList<qint64> &sids)
{
    QModelIndexList indexes;
    const std::function<void(const QModelIndex &)> visit = [&](const QModelIndex &parent) {
        for (int row = 0; row < model->rowCount(parent); ++row) {
            const QModelIndex index = model->index(row, 0, parent);
            if (sids.contains(index.data(TraitTreeModel::SidRole).toLongLong()))
                indexes.append(index);
            visit(index);
        }
    };
    visit({});
    std::unique_ptr<QMimeData> mime(model->mimeData(indexes));
    QVERIFY(mime);
    const QPoint at = target->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(at), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &drop);
    QVERIFY(drop.isAccepted());
}

void replaceCode(RuleCodeEdit *code, const QString &text)
{
    code->setFocus();
    code->selectAll();
    QTest::keyClick(code, Qt::Key_Delete);
    QTest::keyClicks(code, text);
    if (code->completer()->popup()->isVisible())
        code->completer()->popup()->hide();
}

} // namespace

class tst_SegmentsPage : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<DcsServer> m_server;
    int m_counter = 0;

    std::unique_ptr<SegmentsPage> showPage()
    {
        auto page = std::make_unique<SegmentsPage>(*m_server);
        page->resize(1300, 850);
        page->show();
        page->activateWindow();
        return page;
    }

    SegmentPreviewResult engineFigures(const QString &draft, const QString &saved)
    {
        return SegmentPreview::run(m_server->storage()->reader(),
                                   *m_server->rulesEngine()->snapshot(), draft, saved,
                                   QDateTime::currentMSecsSinceEpoch());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        setApplicationIdentity();
        AppSettings settings;
        settings.setSegmentsSplitterState({});
        settings.setSegmentsEditorSplitterState({});
        settings.setSegmentsListHeaderState({});
        settings.setSegmentsEditorTab(0);
        settings.setSegmentsRuleView(0);
    }

    void init()
    {
        m_server = std::make_unique<DcsServer>(nullptr, 1);
        QString error;
        QVERIFY2(m_server->openStorage(
                     m_dir.filePath(QStringLiteral("s%1.sqlite").arg(++m_counter)), &error),
                 qPrintable(error));
        QVERIFY(Fixture::storeDefinitions(*m_server->storage(), definitions()).ok);
        QVERIFY(seed(*m_server->storage()));
        m_server->reloadRules();
        QVERIFY2(m_server->startListener(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    }

    void cleanup()
    {
        m_server.reset();
    }

    void listShowsSegmentsWithPopulationAndSearches()
    {
        auto page = showPage();
        QAbstractItemModelTester listTester(page->listModel());
        QAbstractItemModelTester treeTester(page->editor()->traitModel());
        QTRY_COMPARE_WITH_TIMEOUT(page->listModel()->rowCount(), 1, kWaitMs);
        const QAbstractItemModel *shown = page->listView()->model();
        QCOMPARE(shown->index(0, SegmentListModel::Name).data().toString(),
                 QStringLiteral("Segment 10"));
        QCOMPARE(shown->index(0, SegmentListModel::Status).data().toString(),
                 QStringLiteral("Active"));
        QCOMPARE(shown->index(0, SegmentListModel::Folder).data().toString(),
                 QStringLiteral("F"));
        QCOMPARE(shown->index(0, SegmentListModel::Rule).data().toString(), QStringLiteral("1T"));
        QTRY_COMPARE_WITH_TIMEOUT(page->listModel()->population(kSegment),
                                  std::optional<qint64>(2), kWaitMs);
        QCOMPARE(shown->index(0, SegmentListModel::Population).data().toString(),
                 QStringLiteral("2"));
        // The first segment is opened; the trait tree has the folder and its three traits.
        QTRY_COMPARE(page->currentSegment().value_or(Segment()).sid, kSegment);
        QCOMPARE(page->editor()->traitModel()->rowCount(), 1);
        QCOMPARE(page->editor()->traitModel()->rowCount(page->editor()->traitModel()->index(0, 0)),
                 3);

        QTest::keyClicks(page->searchEdit(), QStringLiteral("FREQUENCY"));
        QCOMPARE(shown->rowCount(), 0);
        page->searchEdit()->clear();
        QTest::keyClicks(page->searchEdit(), QStringLiteral("1t"));
        QCOMPARE(shown->rowCount(), 1);
    }

    void codeDiagnosticsAndPreviewMatchTheEngine()
    {
        auto page = showPage();
        QTRY_COMPARE_WITH_TIMEOUT(page->currentSegment().value_or(Segment()).sid, kSegment,
                                  kWaitMs);
        SegmentEditor *editor = page->editor();
        editor->setRuleView(SegmentEditor::CodeView);
        RuleCodeEdit *code = editor->codeEdit();
        code->setCheckDelay(0);

        // An unknown trait: underlined where it is written, and no preview.
        replaceCode(code, QStringLiteral("1T AND 99T"));
        QCOMPARE(code->diagnostics().size(), 1);
        QCOMPARE(code->diagnostics().first().column, 8);
        QCOMPARE(code->diagnostics().first().text, QStringLiteral("trait 99T does not exist"));
        QCOMPARE(code->extraSelections().size(), 1);
        QCOMPARE(code->extraSelections().first().cursor.selectedText(), QStringLiteral("99T"));
        QTRY_VERIFY(editor->previewPanel()->statusLabel()->text().startsWith(
            QStringLiteral("Fix the rule to see the preview: line 1, column 8: trait 99T")));
        QVERIFY(editor->diagnosticsLabel()->text().contains(QStringLiteral("99T")));

        // The refusals of the spec, in words, at their place.
        replaceCode(code, QStringLiteral("1T AND FREQUENCY([3T]) >= 2"));
        QCOMPARE(code->diagnostics().size(), 1);
        QCOMPARE(code->diagnostics().first().column, 19); // the 3T in the list
        QVERIFY(code->diagnostics().first().text.contains(QStringLiteral("3T is onboarded")));
        replaceCode(code, QStringLiteral("NOT 1T"));
        QCOMPARE(code->diagnostics().size(), 1);
        QVERIFY(code->diagnostics().first().text.startsWith(
            QStringLiteral("this rule would hold for every visitor")));
        QVERIFY(!page->saveAction()->isEnabled());

        // Fixed: the preview runs, and shows the engine's own figures for the same draft.
        const QString draft = QStringLiteral("FREQUENCY([2T] <= 5D) >= 2 OR 1T");
        replaceCode(code, draft);
        QVERIFY(code->diagnostics().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(editor->lastPreview().has_value(), kWaitMs);
        const SegmentPreviewResult shown = *editor->lastPreview();
        const SegmentPreviewResult engine = engineFigures(draft, QStringLiteral("1T"));
        QVERIFY(engine.ok());
        QCOMPARE(shown.holders, engine.holders);
        QCOMPARE(shown.joins, engine.joins);
        QCOMPARE(shown.leaves, engine.leaves);
        QCOMPARE(shown.savedHolders, engine.savedHolders);
        QCOMPARE(shown.visitorsScanned, engine.visitorsScanned);
        // A and B hold 1T; B has two 2T in the last 5 days: still A and B, none joins.
        QCOMPARE(shown.holders, 2);
        QCOMPARE(editor->previewPanel()->holdersLabel()->text(), QStringLiteral("2 visitors"));

        replaceCode(code, QStringLiteral("2T"));
        QTRY_VERIFY_WITH_TIMEOUT(editor->lastPreview().has_value(), kWaitMs);
        const SegmentPreviewResult engine2 = engineFigures(QStringLiteral("2T"),
                                                           QStringLiteral("1T"));
        QCOMPARE(editor->lastPreview()->holders, engine2.holders);
        QCOMPARE(editor->lastPreview()->joins, engine2.joins);
        QCOMPARE(editor->lastPreview()->leaves, engine2.leaves);
        QCOMPARE(engine2.joins, 1);  // C
        QCOMPARE(engine2.leaves, 1); // A
        QCOMPARE(editor->previewPanel()->changesLabel()->text(),
                 QStringLiteral("+1 join · −1 leave\nagainst the saved version, which 2 hold"));
        QVERIFY(page->saveAction()->isEnabled());
    }

    void visualAndCodeViewsStayInSync()
    {
        auto page = showPage();
        QTRY_COMPARE_WITH_TIMEOUT(page->currentSegment().value_or(Segment()).sid, kSegment,
                                  kWaitMs);
        SegmentEditor *editor = page->editor();
        SegmentRuleBuilder *builder = editor->builder();
        RuleCodeEdit *code = editor->codeEdit();
        code->setCheckDelay(0);
        page->newAction()->trigger();
        QCOMPARE(code->ruleText(), QString());
        editor->setRuleView(SegmentEditor::VisualView);

        // Drop trait 1 below the groups: a new group; then trait 2 into that group.
        dropTraits(editor->traitModel(), builder->newGroupArea(), {1});
        QCOMPARE(code->ruleText(), QStringLiteral("1T"));
        dropTraits(editor->traitModel(), builder->groupWidget(0), {2});
        QCOMPARE(code->ruleText(), QStringLiteral("1T OR 2T"));

        // The clock of trait 2: within 7 days, at least 3 times.
        QToolButton *clock = builder->clockButton(0, 1);
        QVERIFY(clock && clock->isEnabled());
        QTest::mouseClick(clock, Qt::LeftButton);
        TraitClockDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = builder->findChild<TraitClockDialog *>()) && dialog->isVisible());
        dialog->recencyCombo()->setCurrentIndex(
            dialog->recencyCombo()->findData(int(Recency::Within)));
        dialog->daysSpin()->setValue(7);
        dialog->countSpin()->setValue(3);
        dialog->accept();
        QCOMPARE(code->ruleText(), QStringLiteral("1T OR FREQUENCY([2T] <= 7D) >= 3"));
        QCOMPARE(builder->findChild<QLabel *>(QStringLiteral("clockText0_1"))->text(),
                 QStringLiteral("at least 3 times in the last 7 days"));

        // A second group, negated: AND NOT.
        dropTraits(editor->traitModel(), builder->newGroupArea(), {3});
        builder->findChild<QAbstractButton *>(QStringLiteral("groupNot1"))->click();
        QCOMPARE(code->ruleText(),
                 QStringLiteral("(1T OR FREQUENCY([2T] <= 7D) >= 3) AND NOT 3T"));
        // An onboarded trait takes no clock.
        QVERIFY(!builder->clockButton(1, 0)->isEnabled());

        // And back: typed code shows as groups.
        editor->setRuleView(SegmentEditor::CodeView);
        replaceCode(code, QStringLiteral("FREQUENCY([1T] >= 3D) == 2 OR NOT (2T AND 3T)"));
        QVERIFY(builder->isExpressible());
        const SegmentRuleGroups groups = builder->groups();
        QCOMPARE(groups.join, SegmentGroupJoin::Or);
        QCOMPARE(groups.groups.size(), 2);
        QCOMPARE(groups.groups.at(0).items.first().recency, Recency::Older);
        QCOMPARE(groups.groups.at(0).items.first().threshold, 2);
        QVERIFY(groups.groups.at(1).negated);
        QCOMPARE(groups.groups.at(1).join, SegmentGroupJoin::And);

        // What the visual view cannot show is kept as written, with the reason.
        const QString nested = QStringLiteral("1T AND (2T OR NOT 3T)");
        replaceCode(code, nested);
        QVERIFY(!builder->isExpressible());
        QVERIFY(builder->findChild<QLabel *>(QStringLiteral("visualNotice"))->text().contains(
            QStringLiteral("\"NOT 3T\" is a NOT inside a group")));
        QCOMPARE(code->ruleText(), nested);
        QVERIFY(!builder->newGroupArea()->isEnabled());
    }

    void inexpressibleRuleOpensInCodeView()
    {
        Segment segment = Fixture::segment(11, "1T AND (2T OR NOT 3T)");
        QVERIFY(SegmentRepository(*m_server->storage()).save(segment).ok);
        auto page = showPage();
        QTRY_COMPARE_WITH_TIMEOUT(page->listModel()->rowCount(), 2, kWaitMs);
        page->editor()->setRuleView(SegmentEditor::VisualView);
        page->selectSegment(11);
        QCOMPARE(page->editor()->ruleView(), SegmentEditor::CodeView);
        QVERIFY(page->editor()->ruleNotice()->isVisibleTo(page.get()));
        QVERIFY(page->editor()->ruleNotice()->text().contains(QStringLiteral("Code view")));
        QCOMPARE(page->editor()->codeEdit()->ruleText(), QStringLiteral("1T AND (2T OR NOT 3T)"));
        QVERIFY(!page->editor()->isDirty());
    }

    void saveStoresTheSegmentAndTheDcsAnswersWithIt()
    {
        auto page = showPage();
        QTRY_COMPARE_WITH_TIMEOUT(page->currentSegment().value_or(Segment()).sid, kSegment,
                                  kWaitMs);
        SegmentEditor *editor = page->editor();
        editor->codeEdit()->setCheckDelay(0);
        page->newAction()->trigger();
        QTest::keyClicks(editor->nameEdit(), QStringLiteral("Both signals"));
        QTest::keyClicks(editor->findChild<QLineEdit *>(QStringLiteral("integrationCodeEdit")),
                         QStringLiteral("both sig"));
        editor->setRuleView(SegmentEditor::CodeView);
        replaceCode(editor->codeEdit(), QStringLiteral("1T AND 2T"));

        // Destinations: a cookie and a URL whose example renders as typed.
        DestinationsEditor *destinations = editor->destinationsEditor();
        editor->editorTabs()->setCurrentWidget(destinations);
        destinations->findChild<QToolButton *>(QStringLiteral("addCookieButton"))->click();
        destinations->cookieTable()->item(0, 1)->setText(QStringLiteral("both"));
        destinations->findChild<QToolButton *>(QStringLiteral("addUrlButton"))->click();
        destinations->urlTable()->item(0, 0)->setText(QStringLiteral("ftp://x.example/%ALIAS%"));
        QVERIFY(destinations->issuesLabel()->text().contains(
            QStringLiteral("URL 1: must start with http:// or https://")));
        QVERIFY(!page->saveAction()->isEnabled());
        destinations->urlTable()->item(0, 0)->setText(
            QStringLiteral("https://x.example/p?s=%ALIAS%&u=%did%&r=%rnd%&x=%oops%"));
        QCOMPARE(destinations->urlTable()->item(0, 1)->text(),
                 QStringLiteral("https://x.example/p?s=both%20sig&u=%1&r=1234567890&x=%oops%")
                     .arg(QLatin1String(DestinationsEditor::kSampleVisitorId)));
        QCOMPARE(destinations->issues(),
                 QStringList{QStringLiteral("URL 1: %oops% is not a macro and is sent as written "
                                            "(macros: %ALIAS%, %did%, %rnd%, %timestamp%)")});
        destinations->urlTable()->item(0, 0)->setText(
            QStringLiteral("https://x.example/p?s=%ALIAS%&u=%did%"));
        QVERIFY(destinations->issues().isEmpty());
        QVERIFY(page->saveAction()->isEnabled());

        QSignalSpy saved(page.get(), &SegmentsPage::segmentSaved);
        QTest::keyClick(editor->nameEdit(), Qt::Key_S, Qt::ControlModifier);
        QVERIFY(saved.wait(kWaitMs));
        const qint64 sid = saved.first().first().toLongLong();
        QVERIFY(sid > 0);

        const std::optional<Segment> stored = SegmentRepository(*m_server->storage()).bySid(sid);
        QVERIFY(stored);
        QCOMPARE(stored->name, QStringLiteral("Both signals"));
        QCOMPARE(stored->rule, QStringLiteral("1T AND 2T"));
        QCOMPARE(stored->integrationCode, QStringLiteral("both sig"));
        QCOMPARE(stored->destinations,
                 (QList<Destination>{
                     Fixture::cookie("seg", "both"),
                     Fixture::url("https://x.example/p?s=%ALIAS%&u=%did%")}));
        const RulesSnapshot::SnapshotSegment *compiled
            = m_server->rulesEngine()->snapshot()->segment(sid);
        QVERIFY(compiled);
        QCOMPARE(compiled->rule.toString(), QStringLiteral("1T AND 2T"));
        QTRY_COMPARE(page->currentSegment().value_or(Segment()).sid, sid);
        QVERIFY(!editor->isDirty());

        // The next /event with both signals holds the new segment, with its destinations.
        const QJsonObject answer = eventAnswer(
            m_server->listener().port(),
            "c_a=x&c_b=x&d_cts=1&d_dst=1&d_uuid=" + kVisitor.toLatin1());
        QVERIFY2(answer.value(QStringLiteral("segments")).toArray().contains(sid),
                 QJsonDocument(answer).toJson().constData());
        QVERIFY(QJsonDocument(answer.value(QStringLiteral("stuff")).toArray())
                    .toJson(QJsonDocument::Compact)
                    .contains("seg=both"));
        QCOMPARE(answer.value(QStringLiteral("dests")).toArray().first().toObject()
                     .value(QStringLiteral("c")).toString(),
                 QStringLiteral("https://x.example/p?s=both%20sig&u=") + kVisitor);

        // History: an edit saved is version 2; restoring version 1 loads it as an unsaved
        // edit, and saving it makes version 3 with the first rule back.
        editor->editorTabs()->setCurrentIndex(0);
        replaceCode(editor->codeEdit(), QStringLiteral("1T"));
        QCOMPARE(editor->codeEdit()->ruleText(), QStringLiteral("1T"));
        QVERIFY(editor->isDirty());
        QTRY_VERIFY(page->saveAction()->isEnabled());
        QSignalSpy edited(page.get(), &SegmentsPage::segmentSaved);
        page->saveAction()->trigger();
        QVERIFY(edited.wait(kWaitMs));
        VersionHistoryView *versions = editor->historyView();
        editor->editorTabs()->setCurrentWidget(versions);
        QTRY_COMPARE_WITH_TIMEOUT(versions->versions().size(), 2, kWaitMs);
        versions->selectVersion(1);
        QVERIFY(versions->diffView()->toPlainText().contains(QStringLiteral("1T AND 2T")));
        QTest::mouseClick(versions->restoreButton(), Qt::LeftButton);
        QCOMPARE(editor->codeEdit()->ruleText(), QStringLiteral("1T AND 2T"));
        QVERIFY(editor->isDirty());
        QCOMPARE(editor->stored().rule, QStringLiteral("1T"));
        QSignalSpy restored(page.get(), &SegmentsPage::segmentSaved);
        page->saveAction()->trigger();
        QVERIFY(restored.wait(kWaitMs));
        QCOMPARE(SegmentRepository(*m_server->storage()).bySid(sid)->rule,
                 QStringLiteral("1T AND 2T"));
        QTRY_COMPARE_WITH_TIMEOUT(versions->versions().size(), 3, kWaitMs);

        // Deactivated from the list: the DCS stops answering with it.
        QSignalSpy again(page.get(), &SegmentsPage::segmentSaved);
        QCOMPARE(page->activateAction()->text(), QStringLiteral("&Deactivate"));
        page->activateAction()->trigger();
        QVERIFY(again.wait(kWaitMs));
        QVERIFY(!m_server->rulesEngine()->snapshot()->segment(sid));
        QCOMPARE(SegmentRepository(*m_server->storage()).bySid(sid)->active, false);
    }

    void populationChartFollowsTheChanges()
    {
        const QList<SegmentDayChanges> days{{0, 2, 0}, {MsPerDay, 1, 2}, {2 * MsPerDay, 3, 1}};
        QCOMPARE(SegmentPreviewPanel::populationByDay(5, days), (QList<qint64>{4, 3, 5}));

        auto page = showPage();
        QTRY_COMPARE_WITH_TIMEOUT(page->currentSegment().value_or(Segment()).sid, kSegment,
                                  kWaitMs);
        // No membership changes recorded: a flat line at the population now, 30 points.
        QTRY_COMPARE_WITH_TIMEOUT(page->editor()->previewPanel()->historySeries()->count(), 30,
                                  kWaitMs);
        QCOMPARE(page->editor()->previewPanel()->historySeries()->at(29).y(), 2.0);
        QCOMPARE(page->editor()->previewPanel()->chartView()->accessibleName(),
                 QStringLiteral("Population of the segment over the last 30 days"));
    }
};

QTEST_MAIN(tst_SegmentsPage)
#include "tst_segmentspage.moc"
