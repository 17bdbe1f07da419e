#include "eventids.h"

#include "common/bitmix.h"
#include "sqlutil.h"

#include <QRandomGenerator>
#include <QSqlQuery>

namespace Dcs {

namespace {

constexpr quint64 kHalfMask = (quint64(1) << 36) - 1;
constexpr int kRounds = 8;
const QString kKeyName = QStringLiteral("tid_key");
const QString kRunName = QStringLiteral("tid_run");

std::optional<QString> metaValue(QSqlDatabase &db, const QString &name, QString *error)
{
    QSqlQuery query(db);
    if (!SqlUtil::run(query, QStringLiteral("SELECT value FROM storage_meta WHERE name = ?"),
                      {name}, error))
        return std::nullopt;
    return query.next() ? query.value(0).toString() : QString();
}

bool setMetaValue(QSqlDatabase &db, const QString &name, const QString &value, QString *error)
{
    QSqlQuery query(db);
    return SqlUtil::run(query,
                        QStringLiteral("INSERT INTO storage_meta (name, value) VALUES (?, ?) "
                                       "ON CONFLICT (name) DO UPDATE SET value = excluded.value"),
                        {name, value}, error);
}

} // namespace

bool EventIds::load(QSqlDatabase &db, QString *error)
{
    std::optional<QString> key = metaValue(db, kKeyName, error);
    if (!key)
        return false;
    if (key->size() != 32) {
        quint64 words[2];
        QRandomGenerator::system()->fillRange(words);
        *key = QStringLiteral("%1%2").arg(words[0], 16, 16, QLatin1Char('0'))
                   .arg(words[1], 16, 16, QLatin1Char('0'));
        if (!setMetaValue(db, kKeyName, *key, error))
            return false;
    }
    bool ok = false;
    const quint64 high = key->left(16).toULongLong(&ok, 16);
    const quint64 low = ok ? key->mid(16).toULongLong(&ok, 16) : 0;
    if (!ok) {
        *error = QStringLiteral("the stored tid key is not hexadecimal");
        return false;
    }
    for (int i = 0; i < kRounds; ++i)
        m_roundKeys[size_t(i)] = splitMix64(high + quint64(i) * 0x9e3779b97f4a7c15ULL)
                                 ^ splitMix64(low ^ quint64(i));

    const std::optional<QString> run = metaValue(db, kRunName, error);
    if (!run)
        return false;
    m_run = quint32((run->toULongLong() + 1) & ((1u << kRunBits) - 1));
    if (!setMetaValue(db, kRunName, QString::number(m_run), error))
        return false;

    QSqlQuery query(db);
    if (!SqlUtil::run(query, QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM events"), {}, error)
        || !query.next())
        return false;
    m_nextId.store(query.value(0).toLongLong() + 1);
    return true;
}

EventIds::Allocated EventIds::next()
{
    const qint64 id = m_nextId.fetch_add(1, std::memory_order_relaxed);
    return Allocated{id, tidOf(m_run, id)};
}

quint64 EventIds::round(int index, quint64 half) const
{
    return splitMix64(half ^ m_roundKeys[size_t(index)]) & kHalfMask;
}

QString EventIds::tidOf(quint32 run, qint64 id) const
{
    const quint64 plainHigh = (quint64(run) << 12) | (quint64(id) >> 36); // 24 + 12 bits
    quint64 left = plainHigh & kHalfMask;
    quint64 right = quint64(id) & kHalfMask;
    for (int i = 0; i < kRounds; ++i) {
        const quint64 mixed = left ^ round(i, right);
        left = right;
        right = mixed;
    }
    char bytes[9];
    // 72 bits, big-endian: left's 36 bits then right's.
    const quint64 top = left >> 4;                       // 32 bits
    const quint64 bottom = ((left & 0xF) << 36) | right; // 40 bits
    for (int i = 0; i < 4; ++i)
        bytes[i] = char((top >> (8 * (3 - i))) & 0xFF);
    for (int i = 0; i < 5; ++i)
        bytes[4 + i] = char((bottom >> (8 * (4 - i))) & 0xFF);
    return QString::fromLatin1(QByteArray::fromRawData(bytes, 9).toBase64());
}

std::optional<EventIds::Decoded> EventIds::decode(QStringView tid) const
{
    if (tid.size() != 12)
        return std::nullopt;
    const QByteArray base64 = tid.toLatin1();
    const auto result = QByteArray::fromBase64Encoding(base64,
                                                       QByteArray::AbortOnBase64DecodingErrors);
    if (!result || result.decoded.size() != 9)
        return std::nullopt;
    const auto byte = [&](int i) { return quint64(quint8(result.decoded.at(i))); };
    quint64 top = 0;
    for (int i = 0; i < 4; ++i)
        top = (top << 8) | byte(i);
    quint64 bottom = 0;
    for (int i = 0; i < 5; ++i)
        bottom = (bottom << 8) | byte(4 + i);
    quint64 left = (top << 4) | (bottom >> 36);
    quint64 right = bottom & kHalfMask;
    for (int i = kRounds - 1; i >= 0; --i) {
        const quint64 previousRight = left;
        left = right ^ round(i, previousRight);
        right = previousRight;
    }
    Decoded decoded;
    decoded.run = quint32(left >> 12);
    decoded.id = qint64(((left & 0xFFF) << 36) | right);
    return decoded;
}

} // namespace Dcs
