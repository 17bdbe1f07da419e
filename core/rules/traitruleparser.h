#pragma once

#include "rules/traitrule.h"
#include "rules/traitrulelexer.h"

#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace Dcs {

// Recursive descent over rules.md's grammar, one token of look-ahead. Builds the normalised
// tree, then the flat program; TraitRule::compile() is its only user.
class TraitRuleParser final
{
public:
    explicit TraitRuleParser(QStringView source);

    TraitRuleParse parse();

private:
    // A node while parsing: children are indexes into m_arena.
    using ArenaIndex = qsizetype;

    ArenaIndex parseOr();
    ArenaIndex parseAnd();
    ArenaIndex parseUnary();
    ArenaIndex parseComparison();
    ArenaIndex joined(TraitRuleNode::Kind kind, const QList<ArenaIndex> &operands);

    bool parseKey(QString *key);
    bool parseOperator(const QString &key, TraitRuleOperator *op);
    bool parseValue(const TraitRuleToken &opToken, QString *value);
    // The comparison's compiled form; a bad regular expression or word list is recorded in
    // m_valueErrors and parsing goes on, so that all of them are reported at once.
    CompiledTraitRule::Comparison compileComparison(const QString &key, TraitRuleOperator op,
                                                    const QString &value,
                                                    const TraitRuleToken &valueToken);
    ArenaIndex failExpectedComparison();

    void advance();
    bool isKeyword(const TraitRuleToken &token, QLatin1String keyword) const;
    // The previous token as messages name it: keywords upper-case.
    QString previousName() const;

    // Records the first syntax error (later ones are consequences of it) and returns -1.
    ArenaIndex fail(const TraitRuleToken &token, const QString &expected, const QString &text,
                    const QString &hint = QString());
    ArenaIndex failAt(qsizetype offset, qsizetype length, const QString &expected,
                      const QString &text, const QString &hint = QString());
    // 1-based line and column of a source offset. Offsets asked for mostly grow (one per
    // comparison), so a cursor carries on from the last one: a 20,000-clause rule is not
    // rescanned from its start for each clause.
    void position(qsizetype offset, int *line, int *column);
    RuleDiagnostic diagnosticAt(qsizetype offset, qsizetype length, const QString &expected,
                                const QString &text, const QString &hint);

    // Copies the subtree at `index` into `rule` in pre-order; returns its node index there.
    qsizetype emitNode(ArenaIndex index, CompiledTraitRule *rule) const;

    QStringView m_source;
    TraitRuleLexer m_lexer;
    TraitRuleToken m_token;
    TraitRuleToken m_previous;
    bool m_hasPrevious = false;
    int m_depth = 0;
    qsizetype m_cursorOffset = 0;
    qsizetype m_cursorLineStart = 0;
    int m_cursorLine = 1;

    QList<TraitRuleNode> m_arena;
    QList<qsizetype> m_arenaComparison; // per arena node: index into m_comparisons, or -1
    QList<CompiledTraitRule::Comparison> m_comparisons;
    std::optional<RuleDiagnostic> m_syntaxError;
    QList<RuleDiagnostic> m_valueErrors; // bad regular expressions, empty word lists
};

} // namespace Dcs
