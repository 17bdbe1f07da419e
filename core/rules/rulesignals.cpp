#include "rules/rulesignals.h"

#include <QVarLengthArray>

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <utility>

using namespace Qt::StringLiterals;

namespace Dcs {

namespace {

// Digits a double holds exactly in both directions (DBL_DIG): decimals with at most this many
// digits map to distinct doubles in the same order, so comparing the doubles is exact.
constexpr qsizetype kExactDigits = 15;

constexpr std::array<double, kExactDigits + 1> kPowersOfTen = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

bool isAsciiDigit(QChar ch)
{
    return ch.unicode() >= u'0' && ch.unicode() <= u'9';
}

qsizetype skipDigits(QStringView text, qsizetype at)
{
    while (at < text.size() && isAsciiDigit(text.at(at)))
        ++at;
    return at;
}

// Digit `index` of a run of `length` digits starting at `begin`, or '0' past its end: a
// fraction without its trailing zeros compares as if they were still there.
char16_t digitOrZero(QStringView text, qint32 begin, qint32 length, qsizetype index)
{
    return index < length ? text.at(begin + index).unicode() : u'0';
}

} // namespace

RuleValue::RuleValue(QString valueText)
    : text(std::move(valueText))
{
    const QStringView view(text);
    qsizetype at = 0;
    if (!view.isEmpty() && (view.front() == u'-' || view.front() == u'+')) {
        m_negative = view.front() == u'-';
        ++at;
    }
    qsizetype integerBegin = at;
    qsizetype integerEnd = skipDigits(view, at);
    if (integerEnd == integerBegin)
        return;
    qsizetype fractionBegin = integerEnd;
    qsizetype fractionEnd = integerEnd;
    if (integerEnd < view.size()) {
        if (view.at(integerEnd) != u'.')
            return;
        fractionBegin = integerEnd + 1;
        fractionEnd = skipDigits(view, fractionBegin);
        if (fractionEnd == fractionBegin || fractionEnd != view.size())
            return;
    }
    while (integerBegin < integerEnd && view.at(integerBegin) == u'0')
        ++integerBegin;
    while (fractionEnd > fractionBegin && view.at(fractionEnd - 1) == u'0')
        --fractionEnd;

    isNumber = true;
    m_integerBegin = qint32(integerBegin);
    m_integerLength = qint32(integerEnd - integerBegin);
    m_fractionBegin = qint32(fractionBegin);
    m_fractionLength = qint32(fractionEnd - fractionBegin);
    if (qsizetype(m_integerLength) + m_fractionLength <= kExactDigits) {
        // An integer below 10^15 and a power of ten up to 10^15 are both exact doubles, and
        // IEEE division rounds correctly: this is the nearest double, computed without
        // QString's locale machinery.
        qint64 mantissa = 0;
        for (qsizetype i = integerBegin; i < integerEnd; ++i)
            mantissa = mantissa * 10 + (view.at(i).unicode() - u'0');
        for (qsizetype i = fractionBegin; i < fractionEnd; ++i)
            mantissa = mantissa * 10 + (view.at(i).unicode() - u'0');
        number = double(mantissa) / kPowersOfTen.at(m_fractionLength);
        m_fitsDouble = true;
    } else {
        number = view.toDouble(); // only shown, never compared: too long to be exact
        if (m_integerLength > 308) // toDouble() gives 0 on overflow
            number = std::numeric_limits<double>::infinity();
    }
    if (m_negative)
        number = -number;
}

bool RuleValue::readsAsNumber(QStringView text)
{
    return RuleValue(text.toString()).isNumber;
}

int RuleValue::compareNumbers(const RuleValue &a, const RuleValue &b)
{
    Q_ASSERT(a.isNumber && b.isNumber);
    if (a.m_fitsDouble && b.m_fitsDouble)
        return a.number < b.number ? -1 : (a.number > b.number ? 1 : 0);

    const auto signOf = [](const RuleValue &value) {
        if (value.m_integerLength == 0 && value.m_fractionLength == 0)
            return 0;
        return value.m_negative ? -1 : 1;
    };
    const int signA = signOf(a);
    const int signB = signOf(b);
    if (signA != signB)
        return signA < signB ? -1 : 1;
    if (signA == 0)
        return 0;

    int magnitude = 0;
    if (a.m_integerLength != b.m_integerLength) {
        magnitude = a.m_integerLength < b.m_integerLength ? -1 : 1;
    } else {
        const QStringView textA(a.text);
        const QStringView textB(b.text);
        for (qint32 i = 0; i < a.m_integerLength && magnitude == 0; ++i) {
            const char16_t digitA = textA.at(a.m_integerBegin + i).unicode();
            const char16_t digitB = textB.at(b.m_integerBegin + i).unicode();
            if (digitA != digitB)
                magnitude = digitA < digitB ? -1 : 1;
        }
        const qint32 fractionLength = std::max(a.m_fractionLength, b.m_fractionLength);
        for (qint32 i = 0; i < fractionLength && magnitude == 0; ++i) {
            const char16_t digitA = digitOrZero(textA, a.m_fractionBegin, a.m_fractionLength, i);
            const char16_t digitB = digitOrZero(textB, b.m_fractionBegin, b.m_fractionLength, i);
            if (digitA != digitB)
                magnitude = digitA < digitB ? -1 : 1;
        }
    }
    return signA * magnitude;
}

RuleSignals::RuleSignals(const QList<Signal> &signalList, const QStringList &partnerCodes)
    : m_signalList(signalList)
    , m_partnerCodes(partnerCodes)
{
    rebuild();
}

void RuleSignals::setSignals(const QList<Signal> &signalList)
{
    m_signalList = signalList;
    rebuild();
}

void RuleSignals::setPartnerCodes(const QStringList &partnerCodes)
{
    m_partnerCodes = partnerCodes;
    rebuild();
}

size_t RuleSignals::hashKey(QStringView key)
{
    // A fixed seed: compiled rules keep these hashes for the life of the process.
    return qHash(key, size_t(0));
}

std::span<const RuleValue> RuleSignals::values(QStringView key) const
{
    return values(key, hashKey(key));
}

std::span<const RuleValue> RuleSignals::values(QStringView key, size_t keyHash) const
{
    const qsizetype index = findEntry(key, keyHash);
    if (index < 0)
        return {};
    const Entry &entry = m_entries.at(index);
    return std::span<const RuleValue>(m_values.constData() + entry.first, size_t(entry.count));
}

QStringList RuleSignals::keys() const
{
    QStringList result;
    result.reserve(m_entries.size());
    for (const Entry &entry : m_entries)
        result.append(entry.key);
    return result;
}

qsizetype RuleSignals::findEntry(QStringView key, size_t keyHash) const
{
    if (m_table.isEmpty())
        return -1;
    const size_t mask = size_t(m_table.size()) - 1;
    for (size_t slot = keyHash & mask;; slot = (slot + 1) & mask) {
        const qint32 index = m_table.at(qsizetype(slot));
        if (index < 0)
            return -1;
        const Entry &entry = m_entries.at(index);
        if (entry.hash == keyHash && entry.key == key)
            return index;
    }
}

qsizetype RuleSignals::insertKey(const QString &key, size_t keyHash)
{
    const size_t mask = size_t(m_table.size()) - 1;
    size_t slot = keyHash & mask;
    for (;; slot = (slot + 1) & mask) {
        const qint32 index = m_table.at(qsizetype(slot));
        if (index < 0)
            break;
        const Entry &entry = m_entries.at(index);
        if (entry.hash == keyHash && entry.key == key)
            return index;
    }
    m_table[qsizetype(slot)] = qint32(m_entries.size());
    m_entries.append(Entry{key, keyHash, 0, 0});
    return m_entries.size() - 1;
}

void RuleSignals::rebuild()
{
    static const QString partnerCodeKey = u"ic"_s;
    static const size_t partnerCodeHash = hashKey(partnerCodeKey);

    m_entries.clear();
    m_values.clear();
    // At most half full, so probes stay short and always end at an empty slot.
    const qsizetype maxKeys = m_signalList.size() + 1;
    m_table.fill(-1, qsizetype(std::bit_ceil(size_t(std::max<qsizetype>(8, maxKeys * 2)))));
    m_entries.reserve(maxKeys);

    // A caller may repeat a key (the decoder does not, other callers might): its values join
    // the first entry's, so each key's values sit together in m_values.
    QVarLengthArray<qsizetype, 64> entryOfSignal(m_signalList.size());
    for (qsizetype i = 0; i < m_signalList.size(); ++i) {
        const Signal &signal = m_signalList.at(i);
        if (signal.key == partnerCodeKey) {
            entryOfSignal[i] = -1;
            continue;
        }
        const qsizetype entry = insertKey(signal.key, hashKey(signal.key));
        m_entries[entry].count += signal.values.size();
        entryOfSignal[i] = entry;
    }
    qsizetype partnerEntry = -1;
    if (!m_partnerCodes.isEmpty()) {
        partnerEntry = insertKey(partnerCodeKey, partnerCodeHash);
        m_entries[partnerEntry].count = m_partnerCodes.size();
    }

    qsizetype total = 0;
    for (Entry &entry : m_entries) {
        entry.first = total;
        total += entry.count;
        entry.count = 0; // counts up again as the values are filled in
    }
    m_values.resize(total);
    RuleValue *out = m_values.data();
    const auto fill = [this, out](qsizetype entryIndex, const QStringList &texts) {
        Entry &entry = m_entries[entryIndex];
        for (const QString &text : texts)
            out[entry.first + entry.count++] = RuleValue(text);
    };
    for (qsizetype i = 0; i < m_signalList.size(); ++i) {
        if (entryOfSignal.at(i) >= 0)
            fill(entryOfSignal.at(i), m_signalList.at(i).values);
    }
    if (partnerEntry >= 0)
        fill(partnerEntry, m_partnerCodes);
}

} // namespace Dcs
