// The trait editor driven with keys and clicks: the code view's diagnostics where the parser
// puts them, the visual and code views in sync, and the live preview equal to the engine's own
// count for the same draft on a seeded event log (real SQLite, real preview job).
#include "common/appidentity.h"
#include "rules/rulecodeedit.h"
#include "rules/signalkeystats.h"
#include "rules/traitmatchsample.h"
#include "rules/traitpreview.h"
#include "storage/storage.h"
#include "traits/traiteditor.h"
#include "traits/traitpreviewpanel.h"
#include "traits/visualruleeditor.h"
#include "traitsfixture.h"

#include <QComboBox>
#include <QDateTime>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace Dcs;
using namespace Qt::StringLiterals;

namespace {

constexpr int kWaitMs = 20000;

// The counts the panel shows, one per window.
QList<qint64> shownCounts(const TraitPreviewPanel &panel)
{
    QList<qint64> counts;
    for (int row = 0; row < panel.windowsTable()->rowCount(); ++row) {
        QString text = panel.windowsTable()->item(row, 0)->text();
        counts.append(QLocale().toLongLong(text));
    }
    return counts;
}

QList<qint64> engineCounts(Storage &storage, const QString &rule, qint64 nowMs)
{
    const TraitPreviewResult result = TraitPreview::run(storage.reader(), rule, nowMs);
    QList<qint64> counts;
    for (const PreviewWindowCount &window : result.windows)
        counts.append(window.visitors);
    return counts;
}

} // namespace

class tst_TraitEditor : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Storage> m_storage;
    qint64 m_now = 0;

    std::unique_ptr<TraitEditor> showEditor()
    {
        auto editor = std::make_unique<TraitEditor>(*m_storage);
        editor->previewPanel()->setClock([this] { return m_now; });
        editor->setFolders({{1, u"Demo"_s}});
        editor->resize(1100, 700);
        editor->show();
        if (!QTest::qWaitForWindowExposed(editor.get()))
            qWarning("the editor was not shown");
        return editor;
    }

private Q_SLOTS:
    void initTestCase()
    {
        setApplicationIdentity();
        QStandardPaths::setTestModeEnabled(true);
        QString error;
        m_storage = Storage::open(m_dir.filePath(u"editor.sqlite"_s), &error);
        QVERIFY2(m_storage, qPrintable(error));
        m_now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(TraitsFixture::seedEvents(*m_storage, m_now));
    }

    void cleanupTestCase() { m_storage.reset(); }

    void typedErrorShowsWhereThenPreviewMatchesEngine()
    {
        auto editor = showEditor();
        Trait trait;
        trait.name = u"Sports buyers"_s;
        trait.folderId = 1;
        editor->setTrait(trait);
        editor->ruleTabs()->setCurrentIndex(TraitEditor::CodeTab);
        RuleCodeEdit *code = editor->codeEdit();
        QSignalSpy finished(editor->previewPanel(), &TraitPreviewPanel::previewFinished);
        code->setFocus();
        QTest::keyClicks(code, u"c_section == "_s);

        // The parser's own diagnostic, underlined and listed at the same place.
        const QList<RuleDiagnostic> expected = TraitRule::compile(u"c_section == "_s).diagnostics;
        QCOMPARE(expected.size(), 1);
        QTRY_COMPARE(code->diagnostics(), expected);
        QCOMPARE(expected.first().line, 1);
        QCOMPARE(expected.first().column, 13); // where the value should be
        QVERIFY(!editor->diagnosticsList()->isHidden());
        QCOMPARE(editor->diagnosticsList()->count(), 1);
        QVERIFY2(editor->diagnosticsList()->item(0)->text().startsWith(
                     u"Line 1, column 13: "_s),
                 qPrintable(editor->diagnosticsList()->item(0)->text()));
        QVERIFY(!editor->isValid());
        // The preview says it waits for a rule that parses.
        QTRY_VERIFY(editor->previewPanel()->statusLabel()->text().contains(u"errors"_s));

        finished.clear();
        QTest::keyClicks(code, u"\"sports\" AND c_price >= 100"_s);
        QTRY_VERIFY(code->diagnostics().isEmpty());
        QVERIFY(editor->diagnosticsList()->isHidden());
        QVERIFY(editor->isValid());

        // The figures shown are the engine's for the same draft and the same "now".
        const QString draft = u"c_section == \"sports\" AND c_price >= 100"_s;
        QTRY_VERIFY_WITH_TIMEOUT(editor->previewPanel()->isExact()
                                     && editor->previewPanel()->shownResult().ok()
                                     && code->ruleText() == draft,
                                 kWaitMs);
        const QList<qint64> expectedCounts = engineCounts(*m_storage, draft, m_now);
        QTRY_COMPARE_WITH_TIMEOUT(shownCounts(*editor->previewPanel()), expectedCounts, kWaitMs);
        QVERIFY(expectedCounts.last() > 0);
        QVERIFY(expectedCounts.first() < expectedCounts.last());

        // A further edit moves the numbers to the new draft's.
        QTest::keyClick(code, Qt::Key_End, Qt::ControlModifier);
        QTest::keyClicks(code, u"0"_s); // c_price >= 1000: nobody
        QTRY_COMPARE_WITH_TIMEOUT(shownCounts(*editor->previewPanel()),
                                  QList<qint64>(6, 0), kWaitMs);
    }

    void sampleOfMatchingEventsHighlightsTheSignals()
    {
        auto editor = showEditor();
        Trait trait;
        trait.folderId = 1;
        trait.rule = u"c_page == \"checkout\" AND NOT c_section == \"news\""_s;
        editor->setTrait(trait);
        TraitPreviewPanel *panel = editor->previewPanel();
        QTRY_VERIFY_WITH_TIMEOUT(panel->shownMatches().events.size() == 20, kWaitMs);
        const TraitMatchedEvent &newest = panel->shownMatches().events.first();
        // The newest checkout that is not news: event 3 (i % 5 == 3, i % 4 == 3 -> travel).
        QCOMPARE(newest.uuid, QString::fromLatin1(TraitsFixture::visitor(3)));
        // Only the comparison that counted for the match is highlighted, not the NOT-ed one.
        QCOMPARE(newest.matched, (QList<Signal>{{u"c_page"_s, {u"checkout"_s}}}));
        const QString html = panel->matchesView()->toHtml();
        QVERIFY2(html.contains(u"checkout"_s), qPrintable(html));
        QVERIFY(panel->shownMatches().events.last().timeMs < newest.timeMs);
    }

    void visualAndCodeStayInSync()
    {
        auto editor = showEditor();
        SignalKeyStatsResult stats;
        QString error;
        QVERIFY(SignalKeyStats::collect(m_storage->reader(), m_now, &stats, &error));
        editor->setKeyStats(stats.keys);
        Trait trait;
        trait.folderId = 1;
        trait.rule = u"c_section == \"news\" OR c_section == \"tech\""_s;
        editor->setTrait(trait);
        editor->ruleTabs()->setCurrentIndex(TraitEditor::VisualTab);
        VisualRuleEditor *visual = editor->visualEditor();
        // Keys arriving after the trait is shown (as on the page) change nothing in the rule.
        editor->setKeyStats({});
        editor->setKeyStats(stats.keys);
        QCOMPARE(editor->codeEdit()->ruleText(), trait.rule);
        QVERIFY(!editor->isDirty());
        QCOMPARE(visual->groups().size(), 1);
        QCOMPARE(visual->groups().first().conditions.size(), 2);
        QCOMPARE(visual->valueCombo(0, 1)->currentText(), u"tech"_s);
        // Values are picked from the key's most frequent ones, with their counts.
        QCOMPARE(visual->valueCombo(0, 1)->count(), 4);
        // c_section holds text: no < or >; c_price holds numbers: no contains.
        QVERIFY(!visual->operatorsFor(u"c_section"_s).contains(TraitRuleOperator::Less));
        QVERIFY(visual->operatorsFor(u"c_section"_s).contains(TraitRuleOperator::Contains));
        QVERIFY(visual->operatorsFor(u"c_price"_s).contains(TraitRuleOperator::Less));
        QVERIFY(!visual->operatorsFor(u"c_price"_s).contains(TraitRuleOperator::Contains));

        // Visual -> code: retype a value.
        QLineEdit *value = visual->valueCombo(0, 1)->lineEdit();
        value->setFocus();
        value->selectAll();
        QTest::keyClicks(value, u"travel"_s);
        QCOMPARE(editor->codeEdit()->ruleText(),
                 u"c_section == \"news\" OR c_section == \"travel\""_s);

        // A new group joined by AND NOT, its key typed and its value picked.
        QTest::mouseClick(visual->addGroupButton(), Qt::LeftButton);
        QCOMPARE(visual->groups().size(), 2);
        QComboBox *join = visual->joinCombo(1);
        join->setCurrentIndex(join->findText(u"AND NOT"_s));
        QLineEdit *key = visual->keyCombo(1, 0)->lineEdit();
        key->setFocus();
        QTest::keyClicks(key, u"c_price"_s);
        // The operators follow the key: numbers.
        QComboBox *op = visual->operatorCombo(1, 0);
        QVERIFY(op->findData(int(TraitRuleOperator::Less)) >= 0);
        QVERIFY(op->findData(int(TraitRuleOperator::Contains)) < 0);
        op->setCurrentIndex(op->findData(int(TraitRuleOperator::Less)));
        QLineEdit *limit = visual->valueCombo(1, 0)->lineEdit();
        limit->setFocus();
        QTest::keyClicks(limit, u"50"_s);
        QCOMPARE(editor->codeEdit()->ruleText(),
                 u"(c_section == \"news\" OR c_section == \"travel\") AND NOT c_price < 50"_s);
        QVERIFY(editor->codeEdit()->diagnostics().isEmpty());

        // Code -> visual: type in the code view.
        editor->ruleTabs()->setCurrentIndex(TraitEditor::CodeTab);
        RuleCodeEdit *code = editor->codeEdit();
        code->setFocus();
        QTest::keyClick(code, Qt::Key_End, Qt::ControlModifier);
        QTest::keyClicks(code, u" OR c_page == \"home\""_s);
        const TraitRuleGroups groups = visual->groups();
        QCOMPARE(groups.size(), 3);
        QCOMPARE(groups.at(1).join, TraitRuleGroup::Join::AndNot);
        QCOMPARE(groups.at(2).join, TraitRuleGroup::Join::Or);
        QCOMPARE(groups.at(2).conditions,
                 (QList<TraitRuleCondition>{{u"c_page"_s, TraitRuleOperator::Equal, u"home"_s}}));
        QVERIFY(editor->visualNotice()->isHidden());
        QVERIFY(editor->isDirty());
    }

    void inexpressibleRuleOpensInCodeView()
    {
        auto editor = showEditor();
        editor->ruleTabs()->setCurrentIndex(TraitEditor::VisualTab);
        Trait trait;
        trait.folderId = 1;
        trait.rule = u"NOT c_section == 'news'   AND c_page == \"home\""_s;
        editor->setTrait(trait);
        QCOMPARE(editor->ruleTabs()->currentIndex(), int(TraitEditor::CodeTab));
        QVERIFY(!editor->visualNotice()->isHidden());
        QVERIFY2(editor->visualNotice()->text().contains(u"starts with NOT"_s),
                 qPrintable(editor->visualNotice()->text()));
        // Never mangled: the text is exactly as stored, and nothing counts as an edit.
        QCOMPARE(editor->codeEdit()->ruleText(), trait.rule);
        QVERIFY(!editor->isDirty());
        QVERIFY(!editor->visualEditor()->addGroupButton()->isEnabled());

        // Once the code says something the visual view can show, it follows again.
        editor->codeEdit()->setFocus();
        editor->codeEdit()->selectAll();
        QTest::keyClicks(editor->codeEdit(), u"c_page == \"home\" AND NOT c_section == 'news'"_s);
        QTRY_VERIFY(editor->visualNotice()->isHidden());
        QCOMPARE(editor->visualEditor()->groups().size(), 2);
        QVERIFY(editor->visualEditor()->addGroupButton()->isEnabled());
    }

    void sampledEstimateComesFirstOnALargeLog()
    {
        auto editor = showEditor();
        TraitPreviewPanel *panel = editor->previewPanel();
        panel->job().setSampleThreshold(100); // 1,200 events count as a large log here
        panel->job().setSampleModulus(4);
        QList<TraitPreviewResult> seen;
        connect(&panel->job(), &TraitPreviewJob::estimated, this,
                [&seen](const TraitPreviewResult &result) { seen.append(result); });
        connect(&panel->job(), &TraitPreviewJob::finished, this,
                [&seen](const TraitPreviewResult &result) { seen.append(result); });
        Trait trait;
        trait.folderId = 1;
        trait.rule = u"c_section == \"sports\""_s;
        editor->setTrait(trait);
        QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 2, kWaitMs);
        QVERIFY(seen.first().sampled);
        QVERIFY(!seen.last().sampled);
        QTRY_VERIFY(panel->isExact());
        QCOMPARE(shownCounts(*panel), engineCounts(*m_storage, trait.rule, m_now));
        QCOMPARE(panel->windowsTable()->item(5, 1)->text(), u"exact"_s);
    }
};

QTEST_MAIN(tst_TraitEditor)
#include "tst_traiteditor.moc"
