#pragma once

#include "dcs/signaldecoder.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <span>

namespace Dcs {

// One value as rules compare it: the text, and whether it reads as a decimal number
// (rules.md): an optional sign, ASCII digits, and an optional fraction of a point and at least
// one digit ("-3", "1.00", "+2093"). No exponent ("1e3" is a product code more often than a
// thousand), no leading or trailing point, no spaces: anything else compares as text.
//
// Numbers compare exactly as decimals, never through a rounded double, so two 38-digit
// visitor IDs that differ in the last digit are different numbers. Values with at most 15
// digits (after leading integer and trailing fraction zeros) take a fast path through their
// double, which is exact for them; longer ones compare digit by digit.
struct RuleValue
{
    QString text;
    double number = 0; // nearest double when isNumber (inf when too large); 0 otherwise
    bool isNumber = false;

    RuleValue() = default;
    explicit RuleValue(QString valueText);

    // <0, 0 or >0; both must be numbers. -0 == 0 and 1.0 == 1.
    static int compareNumbers(const RuleValue &a, const RuleValue &b);
    static bool readsAsNumber(QStringView text);

private:
    bool m_negative = false;
    bool m_fitsDouble = false; // at most 15 significant digits: `number` compares exactly
    // The digits that matter, as offsets into text: the integer part without leading zeros
    // and the fraction without trailing zeros.
    qint32 m_integerBegin = 0;
    qint32 m_integerLength = 0;
    qint32 m_fractionBegin = 0;
    qint32 m_fractionLength = 0;
};

// What a trait rule reads on one call: the call's signals plus the codes its partners
// returned, which rules see as the key `ic`. Every value is converted to a number once here,
// so the twenty rules that compare `price` do not each parse it again. Keys are case-sensitive.
//
// `ic` holds the partner codes only: an `ic` key sent by the caller is ignored, or a visitor
// could qualify for an onboarded trait by adding `ic=CODE` to the page's call.
//
// Lookup is an open-addressed table keyed by a hash the compiled rule computes once per key
// (hashKey()), so evaluating a comparison neither hashes nor allocates. A key present with no
// values reads like a missing key: no comparison on it holds.
class RuleSignals final
{
public:
    RuleSignals() = default;
    explicit RuleSignals(const QList<Signal> &signalList,
                         const QStringList &partnerCodes = QStringList());

    void setSignals(const QList<Signal> &signalList);
    void setPartnerCodes(const QStringList &partnerCodes);

    // The values of `key` in order (empty when the key is absent).
    std::span<const RuleValue> values(QStringView key) const;
    std::span<const RuleValue> values(QStringView key, size_t keyHash) const;
    // Whether `key` has at least one value, i.e. whether a comparison on it can hold.
    bool contains(QStringView key) const { return !values(key).empty(); }
    QStringList keys() const; // every key sent, in order of first appearance; `ic` last
    qsizetype keyCount() const { return m_entries.size(); }

    static size_t hashKey(QStringView key);

private:
    struct Entry
    {
        QString key;
        size_t hash = 0;
        qsizetype first = 0; // into m_values
        qsizetype count = 0;
    };

    void rebuild();
    qsizetype findEntry(QStringView key, size_t keyHash) const;
    // Adds `key` to the table (or finds it) and returns its entry.
    qsizetype insertKey(const QString &key, size_t keyHash);

    QList<Signal> m_signalList;
    QStringList m_partnerCodes;
    QList<Entry> m_entries;
    QList<RuleValue> m_values;
    QList<qint32> m_table; // entry index per slot, -1 = empty; size a power of two
};

} // namespace Dcs
