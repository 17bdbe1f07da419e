#include "codetable.h"

#include "partners/inbounditem.h"

#include <QFile>

namespace Dcs {

namespace {

// A table of a few hundred thousand visitors is plenty for a simulator and still loads fast.
constexpr qint64 kMaxFileBytes = 64 * 1024 * 1024;

// Splits "a, b,c" into codes; false with the offending code in `bad` when one is invalid.
bool parseCodeList(QStringView text, QStringList *codes, QString *bad)
{
    text = text.trimmed();
    if (text.isEmpty())
        return true;
    for (const QStringView item : text.split(u',')) {
        const QStringView code = item.trimmed();
        if (!isValidPartnerCode(code)) {
            *bad = code.toString();
            return false;
        }
        codes->append(code.toString());
    }
    return true;
}

} // namespace

std::shared_ptr<const CodeTable> CodeTable::load(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read the code table %1: %2")
                         .arg(path, file.errorString());
        return nullptr;
    }
    if (file.size() > kMaxFileBytes) {
        if (error)
            *error = QStringLiteral("the code table %1 is larger than %2 MiB")
                         .arg(path)
                         .arg(kMaxFileBytes / (1024 * 1024));
        return nullptr;
    }
    return parse(QString::fromUtf8(file.readAll()), path, error);
}

std::shared_ptr<const CodeTable> CodeTable::parse(QStringView text, const QString &source,
                                                  QString *error)
{
    auto table = std::make_shared<CodeTable>();
    int lineNumber = 0;
    for (QStringView line : text.split(u'\n')) {
        ++lineNumber;
        const auto failWith = [&](const QString &reason) {
            if (error)
                *error = QStringLiteral("%1:%2: %3").arg(source).arg(lineNumber).arg(reason);
            return nullptr;
        };
        if (line.endsWith(u'\r'))
            line.chop(1);
        if (line.trimmed().isEmpty() || line.trimmed().startsWith(u'#'))
            continue;
        const QList<QStringView> columns = line.split(u'\t');
        if (columns.size() < 2 || columns.size() > 3)
            return failWith(QStringLiteral("expected KEY<TAB>CODES[<TAB>UNSEGMENTS]"));
        const QString key = columns.at(0).trimmed().toString();
        if (key.isEmpty())
            return failWith(QStringLiteral("the key (uuid, dpuuid or *) is empty"));
        VisitorCodes codes;
        QString bad;
        if (!parseCodeList(columns.at(1), &codes.segments, &bad)
            || (columns.size() == 3 && !parseCodeList(columns.at(2), &codes.unsegments, &bad))) {
            return failWith(QStringLiteral("\"%1\" is not a partner code (1-64 characters "
                                           "from A-Z a-z 0-9 _ . : -)")
                                .arg(bad));
        }
        const bool duplicate = key == u"*" ? table->m_default.has_value()
                                           : table->m_entries.contains(key);
        if (duplicate)
            return failWith(QStringLiteral("\"%1\" already has a line").arg(key));
        if (key == u"*")
            table->m_default = std::move(codes);
        else
            table->m_entries.insert(key, std::move(codes));
    }
    return table;
}

std::optional<VisitorCodes> CodeTable::lookup(const QString &uuid, const QString &dpuuid) const
{
    if (!uuid.isEmpty()) {
        const auto it = m_entries.constFind(uuid);
        if (it != m_entries.cend())
            return *it;
    }
    if (!dpuuid.isEmpty()) {
        const auto it = m_entries.constFind(dpuuid);
        if (it != m_entries.cend())
            return *it;
    }
    return m_default;
}

} // namespace Dcs
