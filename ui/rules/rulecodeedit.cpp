#include "rules/rulecodeedit.h"

#include "rules/segmentrule.h"
#include "rules/traitrule.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QScrollBar>
#include <QStandardItemModel>
#include <QTextBlock>
#include <QTimer>
#include <QToolTip>

namespace Dcs {

namespace {

constexpr int DefaultCheckDelayMs = 120;
constexpr int CompletionRole = Qt::UserRole + 1;
constexpr int MinimumPrefixForPopup = 2;

bool isWordChar(QChar ch)
{
    return ch.isLetterOrNumber() || ch == u'_' || ch == u'-';
}

QList<RuleDiagnostic> parserDiagnostics(RuleLanguage language, QStringView text)
{
    if (language == RuleLanguage::Trait)
        return TraitRule::compile(text).diagnostics;
    RuleDiagnostic diagnostic;
    if (SegmentRule::parse(text, &diagnostic))
        return {};
    return {diagnostic};
}

QList<RuleCodeEdit::Completion> languageWords(RuleLanguage language)
{
    QList<RuleCodeEdit::Completion> words;
    const auto add = [&words](const char *word, const char *detail) {
        words.append({QString::fromLatin1(word), RuleCodeEdit::tr(detail)});
    };
    if (language == RuleLanguage::Trait) {
        add("AND", QT_TR_NOOP("both sides hold"));
        add("OR", QT_TR_NOOP("either side holds"));
        add("NOT", QT_TR_NOOP("the next comparison or group does not hold"));
        add("contains", QT_TR_NOOP("the value contains the text (any case)"));
        add("startswith", QT_TR_NOOP("the value starts with the text (any case)"));
        add("endswith", QT_TR_NOOP("the value ends with the text (any case)"));
        add("matchesregex", QT_TR_NOOP("the value matches a regular expression"));
        add("matcheswords", QT_TR_NOOP("the value is one of the listed words (any case)"));
    } else {
        add("FREQUENCY", QT_TR_NOOP("FREQUENCY([1T, 2T] <= 7D) >= 3: how often, how recently"));
        add("AND", QT_TR_NOOP("both sides hold"));
        add("OR", QT_TR_NOOP("either side holds"));
        add("NOT", QT_TR_NOOP("the next trait or group does not hold"));
    }
    return words;
}

} // namespace

RuleCodeEdit::RuleCodeEdit(Language language, QWidget *parent)
    : QPlainTextEdit(parent)
    , m_language(language)
    , m_highlighter(new RuleHighlighter(language, document()))
    , m_checkTimer(new QTimer(this))
    , m_completer(new QCompleter(this))
    , m_completionModel(new QStandardItemModel(this))
{
    setObjectName(QStringLiteral("ruleCodeEdit"));
    setAccessibleName(language == Language::Trait ? tr("Trait rule") : tr("Segment rule"));
    setTabChangesFocus(true);
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    QFont mono = font();
    mono.setFamily(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    setFont(mono);
    setPlaceholderText(language == Language::Trait
                           ? tr("c_section == \"sports\" AND c_price > 100")
                           : tr("1234T AND FREQUENCY([5678T] <= 7D) >= 2"));

    m_checkTimer->setSingleShot(true);
    m_checkTimer->setInterval(DefaultCheckDelayMs);
    connect(m_checkTimer, &QTimer::timeout, this, &RuleCodeEdit::recheck);
    connect(this, &QPlainTextEdit::textChanged, this, [this] {
        // Old underlines point into text that is gone: clear them at once, recheck shortly.
        if (!m_diagnostics.isEmpty()) {
            m_diagnostics.clear();
            setExtraSelections({});
        }
        if (m_checkTimer->interval() == 0)
            recheck();
        else
            m_checkTimer->start();
    });

    m_completer->setModel(m_completionModel);
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchStartsWith);
    m_completer->setCompletionRole(CompletionRole);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this,
            &RuleCodeEdit::insertCompletion);
    rebuildCompletionModel();
}

RuleCodeEdit::~RuleCodeEdit() = default;

void RuleCodeEdit::setRuleText(const QString &text)
{
    if (text == toPlainText()) {
        recheck();
        return;
    }
    QTextCursor cursor(document());
    cursor.beginEditBlock();
    cursor.select(QTextCursor::Document);
    cursor.insertText(text);
    cursor.endEditBlock();
    m_checkTimer->stop();
    recheck();
}

void RuleCodeEdit::setChecker(Checker checker)
{
    m_checker = std::move(checker);
    recheck();
}

void RuleCodeEdit::setCheckDelay(int milliseconds)
{
    m_checkTimer->setInterval(qMax(0, milliseconds));
}

int RuleCodeEdit::checkDelay() const
{
    return m_checkTimer->interval();
}

void RuleCodeEdit::recheck()
{
    m_checkTimer->stop();
    const QString text = toPlainText();
    m_diagnostics = m_checker ? m_checker(text) : parserDiagnostics(m_language, text);
    showDiagnostics();
    Q_EMIT diagnosticsChanged(m_diagnostics);
}

RuleCodeEdit::Range RuleCodeEdit::rangeOf(const RuleDiagnostic &diagnostic) const
{
    const int end = qMax(0, document()->characterCount() - 1); // without the final paragraph mark
    if (diagnostic.line <= 0)
        return {0, end};
    const QTextBlock block = document()->findBlockByNumber(diagnostic.line - 1);
    if (!block.isValid())
        return {end, 0};
    int start = block.position() + qMax(0, diagnostic.column - 1);
    int length = qMax(1, diagnostic.length);
    start = qMin(start, end);
    if (start == end && end > 0) {
        // An error at the end of the text ("expected a value"): underline the last character,
        // there is nothing after it to underline.
        start = end - 1;
        length = 1;
    }
    return {start, qMin(length, end - start)};
}

void RuleCodeEdit::showDiagnostics()
{
    QList<QTextEdit::ExtraSelection> selections;
    for (const RuleDiagnostic &diagnostic : std::as_const(m_diagnostics)) {
        const Range range = rangeOf(diagnostic);
        if (range.length <= 0)
            continue;
        QTextEdit::ExtraSelection selection;
        selection.cursor = QTextCursor(document());
        selection.cursor.setPosition(range.start);
        selection.cursor.setPosition(range.start + range.length, QTextCursor::KeepAnchor);
        selection.format.setUnderlineStyle(QTextCharFormat::SpellCheckUnderline);
        selection.format.setUnderlineColor(QColor(220, 40, 40));
        selection.format.setToolTip(diagnostic.message());
        selections.append(selection);
    }
    setExtraSelections(selections);
}

bool RuleCodeEdit::event(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        m_highlighter->setPalette(palette());
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const int position = cursorForPosition(help->pos() - viewport()->pos()).position();
        QStringList messages;
        for (const RuleDiagnostic &diagnostic : std::as_const(m_diagnostics)) {
            const Range range = rangeOf(diagnostic);
            if (position >= range.start && position <= range.start + range.length)
                messages.append(diagnostic.message());
        }
        if (messages.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), messages.join(u'\n'), this);
        return true;
    }
    return QPlainTextEdit::event(event);
}

void RuleCodeEdit::setCompletions(const QList<Completion> &completions)
{
    m_extraCompletions = completions;
    rebuildCompletionModel();
}

void RuleCodeEdit::rebuildCompletionModel()
{
    m_completionModel->clear();
    QList<Completion> all = m_extraCompletions;
    all.append(languageWords(m_language));
    for (const Completion &completion : std::as_const(all)) {
        auto *item = new QStandardItem;
        item->setData(completion.detail.isEmpty()
                          ? completion.text
                          : tr("%1   %2").arg(completion.text, completion.detail),
                      Qt::DisplayRole);
        item->setData(completion.text, CompletionRole);
        item->setData(completion.detail, Qt::ToolTipRole);
        item->setEditable(false);
        m_completionModel->appendRow(item);
    }
}

QString RuleCodeEdit::wordBeforeCursor() const
{
    const QTextCursor cursor = textCursor();
    const QString blockText = cursor.block().text();
    int start = cursor.positionInBlock();
    while (start > 0 && isWordChar(blockText.at(start - 1)))
        --start;
    return blockText.mid(start, cursor.positionInBlock() - start);
}

void RuleCodeEdit::complete()
{
    m_completer->setCompletionPrefix(wordBeforeCursor());
    if (m_completer->completionCount() == 0) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    QRect rect = cursorRect();
    rect.setWidth(m_completer->popup()->sizeHintForColumn(0)
                  + m_completer->popup()->verticalScrollBar()->sizeHint().width());
    m_completer->complete(rect);
}

void RuleCodeEdit::insertCompletion(const QString &completion)
{
    QTextCursor cursor = textCursor();
    const int prefixLength = int(wordBeforeCursor().size());
    cursor.beginEditBlock();
    cursor.movePosition(QTextCursor::Left, QTextCursor::KeepAnchor, prefixLength);
    cursor.insertText(completion);
    cursor.endEditBlock();
    setTextCursor(cursor);
}

void RuleCodeEdit::keyPressEvent(QKeyEvent *event)
{
    if (m_completer->popup()->isVisible()) {
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Escape:
        case Qt::Key_Tab:
        case Qt::Key_Backtab:
            event->ignore(); // the completer's popup takes these
            return;
        default:
            break;
        }
    }
    if (event->key() == Qt::Key_Space && event->modifiers().testFlag(Qt::ControlModifier)) {
        complete();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);

    const QString typed = event->text();
    const bool wordTyped = !typed.isEmpty() && isWordChar(typed.back());
    if (wordTyped && wordBeforeCursor().size() >= MinimumPrefixForPopup)
        complete();
    else if (m_completer->popup()->isVisible() && !wordTyped)
        m_completer->popup()->hide();
}

} // namespace Dcs
