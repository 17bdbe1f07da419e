#include "rules/rulecodeedit.h"
#include "rules/traitrule.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>

using namespace Dcs;

namespace {

// The formats the highlighter gave the characters [start, start + length) of the first block.
QTextCharFormat formatAt(const RuleCodeEdit &edit, int position)
{
    const QTextBlock block = edit.document()->findBlock(position);
    const int inBlock = position - block.position();
    for (const QTextLayout::FormatRange &range : block.layout()->formats()) {
        if (inBlock >= range.start && inBlock < range.start + range.length)
            return range.format;
    }
    return {};
}

} // namespace

class TestRuleCodeEdit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void typedErrorIsUnderlinedWhereTheParserPointsThenFixed();
    void errorAtTheEndUnderlinesTheLastCharacter();
    void diagnosticOnTheSecondLine();
    void traitHighlighting();
    void segmentHighlighting();
    void completionInsertsTheChosenKey();
    void ownCheckerReplacesTheParser();
    void setRuleTextIsOneUndoStep();
};

void TestRuleCodeEdit::typedErrorIsUnderlinedWhereTheParserPointsThenFixed()
{
    RuleCodeEdit edit(RuleCodeEdit::Language::Trait);
    edit.setCheckDelay(0);
    edit.show();
    QSignalSpy spy(&edit, &RuleCodeEdit::diagnosticsChanged);
    QTest::keyClicks(&edit, QStringLiteral("a == 1 AND b ~~ 2"));
    QVERIFY(!spy.isEmpty());
    const QList<RuleDiagnostic> diagnostics = edit.diagnostics();
    QCOMPARE(diagnostics.size(), 1);
    QCOMPARE(diagnostics.first().line, 1);
    QCOMPARE(diagnostics.first().column, 14); // the "~~"
    const QList<QTextEdit::ExtraSelection> underlined = edit.extraSelections();
    QCOMPARE(underlined.size(), 1);
    QCOMPARE(underlined.first().cursor.selectionStart(), 13);
    QCOMPARE(underlined.first().cursor.selectedText(), QStringLiteral("~~"));
    QCOMPARE(underlined.first().format.underlineStyle(), QTextCharFormat::SpellCheckUnderline);
    QCOMPARE(underlined.first().format.toolTip(), diagnostics.first().message());

    // Fix it: select the bad operator and type a good one.
    QTextCursor cursor = edit.textCursor();
    cursor.setPosition(13);
    cursor.setPosition(15, QTextCursor::KeepAnchor);
    edit.setTextCursor(cursor);
    QTest::keyClicks(&edit, QStringLiteral("=="));
    QCOMPARE(edit.toPlainText(), QStringLiteral("a == 1 AND b == 2"));
    QVERIFY(edit.diagnostics().isEmpty());
    QVERIFY(edit.extraSelections().isEmpty());
    QVERIFY(spy.last().first().value<QList<RuleDiagnostic>>().isEmpty());
}

void TestRuleCodeEdit::errorAtTheEndUnderlinesTheLastCharacter()
{
    RuleCodeEdit edit(RuleCodeEdit::Language::Trait);
    edit.setRuleText(QStringLiteral("c_section =="));
    QCOMPARE(edit.diagnostics().size(), 1);
    const QList<QTextEdit::ExtraSelection> underlined = edit.extraSelections();
    QCOMPARE(underlined.size(), 1);
    QCOMPARE(underlined.first().cursor.selectionStart(), 11);
    QCOMPARE(underlined.first().cursor.selectionEnd(), 12);
}

void TestRuleCodeEdit::diagnosticOnTheSecondLine()
{
    RuleCodeEdit edit(RuleCodeEdit::Language::Trait);
    edit.setRuleText(QStringLiteral("a == 1\nAND b matchesregex \"(\""));
    QCOMPARE(edit.diagnostics().size(), 1);
    QCOMPARE(edit.diagnostics().first().line, 2);
    const RuleCodeEdit::Range range = edit.rangeOf(edit.diagnostics().first());
    const QTextBlock second = edit.document()->findBlockByNumber(1);
    QVERIFY(range.start >= second.position());
    QCOMPARE(range.start, second.position() + edit.diagnostics().first().column - 1);
    QCOMPARE(edit.extraSelections().size(), 1);
}

void TestRuleCodeEdit::traitHighlighting()
{
    RuleCodeEdit edit(RuleCodeEdit::Language::Trait);
    const QString rule = QStringLiteral("c_section contains \"sp\" AND NOT c_price >= 100");
    edit.setRuleText(rule);
    QVERIFY(edit.diagnostics().isEmpty());
    const QColor key = formatAt(edit, 0).foreground().color();
    const QColor op = formatAt(edit, int(rule.indexOf(u"contains"))).foreground().color();
    const QColor string = formatAt(edit, int(rule.indexOf(u'"'))).foreground().color();
    const QTextCharFormat andFormat = formatAt(edit, int(rule.indexOf(u"AND")));
    const QTextCharFormat notFormat = formatAt(edit, int(rule.indexOf(u"NOT")));
    const QColor secondKey = formatAt(edit, int(rule.indexOf(u"c_price"))).foreground().color();
    const QColor number = formatAt(edit, int(rule.indexOf(u"100"))).foreground().color();
    QCOMPARE(secondKey, key);
    QVERIFY(key != op && key != string && op != string && number != key && number != string);
    QCOMPARE(andFormat.fontWeight(), int(QFont::Bold));
    QCOMPARE(notFormat.fontWeight(), int(QFont::Bold));
    // A key named like an operator is a key when an operator follows it.
    edit.setRuleText(QStringLiteral("contains contains \"x\""));
    QCOMPARE(formatAt(edit, 0).foreground().color(), key);
    QCOMPARE(formatAt(edit, 9).foreground().color(), op);
}

void TestRuleCodeEdit::segmentHighlighting()
{
    RuleCodeEdit edit(RuleCodeEdit::Language::Segment);
    const QString rule = QStringLiteral("12T and frequency([3T, 4T] <= 7D) >= 2");
    edit.setRuleText(rule);
    QVERIFY(edit.diagnostics().isEmpty());
    QVERIFY(formatAt(edit, 0).fontItalic()); // a trait reference
    QCOMPARE(formatAt(edit, int(rule.indexOf(u"and"))).fontWeight(), int(QFont::Bold));
    QCOMPARE(formatAt(edit, int(rule.indexOf(u"frequency"))).fontWeight(), int(QFont::Bold));
    QVERIFY(formatAt(edit, int(rule.indexOf(u"3T"))).fontItalic());
    QVERIFY(!formatAt(edit, int(rule.indexOf(u"7D"))).fontItalic());
    QVERIFY(formatAt(edit, int(rule.indexOf(u"7D"))).foreground().style() != Qt::NoBrush);
}

void TestRuleCodeEdit::completionInsertsTheChosenKey()
{
    RuleCodeEdit edit(RuleCodeEdit::Language::Trait);
    edit.setCompletions({{QStringLiteral("c_section"), QStringLiteral("1,200 events")},
                         {QStringLiteral("c_segment"), QStringLiteral("3 events")},
                         {QStringLiteral("c_price"), QStringLiteral("900 events")}});
    edit.show();
    QVERIFY(QTest::qWaitForWindowExposed(&edit));
    QTest::keyClicks(&edit, QStringLiteral("c_se"));
    QTRY_VERIFY(edit.completer()->popup()->isVisible());
    QCOMPARE(edit.completer()->completionCount(), 2);
    QTest::keyClick(edit.completer()->popup(), Qt::Key_Down);
    QTest::keyClick(edit.completer()->popup(), Qt::Key_Return);
    QCOMPARE(edit.toPlainText(), QStringLiteral("c_segment"));
    QVERIFY(!edit.completer()->popup()->isVisible());

    // Ctrl+Space offers the language's words too.
    QTest::keyClicks(&edit, QStringLiteral(" == 1 an"));
    edit.completer()->popup()->hide();
    QTest::keyClick(&edit, Qt::Key_Space, Qt::ControlModifier);
    QTRY_VERIFY(edit.completer()->popup()->isVisible());
    QTest::keyClick(edit.completer()->popup(), Qt::Key_Return);
    QCOMPARE(edit.toPlainText(), QStringLiteral("c_segment == 1 AND"));
}

void TestRuleCodeEdit::ownCheckerReplacesTheParser()
{
    RuleCodeEdit edit(RuleCodeEdit::Language::Segment);
    edit.setChecker([](QStringView text) {
        QList<RuleDiagnostic> out;
        const qsizetype at = text.indexOf(u"99T");
        if (at >= 0) {
            RuleDiagnostic diagnostic;
            diagnostic.line = 1;
            diagnostic.column = int(at) + 1;
            diagnostic.length = 3;
            diagnostic.text = QStringLiteral("names trait 99T, which does not exist");
            out.append(diagnostic);
        }
        return out;
    });
    edit.setRuleText(QStringLiteral("1T OR 99T"));
    QCOMPARE(edit.diagnostics().size(), 1);
    QCOMPARE(edit.extraSelections().first().cursor.selectedText(), QStringLiteral("99T"));
    edit.setRuleText(QStringLiteral("1T OR 2T"));
    QVERIFY(edit.diagnostics().isEmpty());
}

void TestRuleCodeEdit::setRuleTextIsOneUndoStep()
{
    RuleCodeEdit edit(RuleCodeEdit::Language::Trait);
    edit.setRuleText(QStringLiteral("a == 1"));
    edit.setRuleText(QStringLiteral("b == 2"));
    edit.undo();
    QCOMPARE(edit.toPlainText(), QStringLiteral("a == 1"));
    QVERIFY(edit.diagnostics().isEmpty());
}

QTEST_MAIN(TestRuleCodeEdit)
#include "tst_rulecodeedit.moc"
