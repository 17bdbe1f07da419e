#include "profiles/batchfile.h"

#include <QStringDecoder>
#include <QUtf8StringView>

using namespace Qt::StringLiterals;

namespace Dcs {

namespace {

constexpr QLatin1StringView kPrefix("ftp_dpm_");
constexpr qsizetype kTimestampDigits = 10;
// DPIDs and part numbers must fit a qint64 with room to spare; 18 digits always do.
constexpr qsizetype kMaxNumberDigits = 18;
// Skipped text shown in the report is cut here: a report line, not a copy of the file.
constexpr qsizetype kMaxDetail = 80;
// Fixed, so a user ID maps to the same bucket on every run (reproducible counts).
constexpr size_t kUserHashSeed = 0x6261746368; // "batch"

bool isAsciiDigits(QStringView text)
{
    if (text.isEmpty())
        return false;
    for (const QChar c : text) {
        if (c < u'0' || c > u'9')
            return false;
    }
    return true;
}

// A non-negative decimal of at most kMaxNumberDigits digits.
std::optional<qint64> numberOf(QStringView text)
{
    if (!isAsciiDigits(text) || text.size() > kMaxNumberDigits)
        return std::nullopt;
    return text.toLongLong();
}

std::optional<BatchFileName> failName(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return std::nullopt;
}

QString quotedDetail(QStringView text)
{
    if (text.size() <= kMaxDetail)
        return u'"' + text.toString() + u'"';
    return u'"' + text.first(kMaxDetail).toString() + u"\"..."_s;
}

BatchLine skipped(BatchLine line, QLatin1String reason, QString detail = {})
{
    line.skipReason = reason;
    line.skipDetail = std::move(detail);
    return line;
}

} // namespace

QString BatchFileName::modeName() const
{
    return mode == Mode::Sync ? u"sync"_s : u"overwrite"_s;
}

std::optional<BatchFileName> BatchFileName::parse(QStringView fileName, QString *error)
{
    const QStringView name = fileName.sliced(fileName.lastIndexOf(u'/') + 1);
    const auto fail = [&](const QString &what) {
        return failName(error, u"\"%1\" is not a batch file name (%2); expected "
                               "ftp_dpm_<DPID>[_<TARGET_DPID>]_<10-digit UTC epoch seconds>"
                               ".(sync|overwrite)[.<n>][.gz]"_s.arg(name.left(kMaxDetail), what));
    };
    if (!name.startsWith(kPrefix))
        return fail(u"it does not start with ftp_dpm_"_s);

    BatchFileName result;
    QStringView rest = name.sliced(kPrefix.size());
    if (rest.endsWith(u".gz")) {
        result.gzipped = true;
        rest.chop(3);
    }
    const QList<QStringView> dotted = rest.split(u'.');
    if (dotted.size() < 2)
        return fail(u"no .sync or .overwrite"_s);
    if (dotted.size() > 3)
        return fail(u"too many dot-separated parts"_s);
    if (dotted.at(1) == u"sync")
        result.mode = Mode::Sync;
    else if (dotted.at(1) == u"overwrite")
        result.mode = Mode::Overwrite;
    else
        return fail(u"\"%1\" is neither sync nor overwrite"_s.arg(dotted.at(1).left(kMaxDetail)));
    if (dotted.size() == 3) {
        result.part = numberOf(dotted.at(2));
        if (!result.part)
            return fail(u"the part number \"%1\" is not a number"_s
                            .arg(dotted.at(2).left(kMaxDetail)));
    }

    const QList<QStringView> fields = dotted.at(0).split(u'_');
    if (fields.size() < 2 || fields.size() > 3)
        return fail(u"expected a DPID, an optional target DPID and a timestamp separated by _"_s);
    const QStringView timestamp = fields.last();
    if (!isAsciiDigits(timestamp) || timestamp.size() != kTimestampDigits)
        return fail(u"the timestamp \"%1\" is not 10 digits of UTC epoch seconds"_s
                        .arg(timestamp.left(kMaxDetail)));
    result.timestampSeconds = timestamp.toLongLong();
    const std::optional<qint64> dpid = numberOf(fields.at(0));
    if (!dpid || *dpid == 0)
        return fail(u"the DPID \"%1\" is not a data source ID (a positive number)"_s
                        .arg(fields.at(0).left(kMaxDetail)));
    result.dpid = *dpid;
    if (fields.size() == 3) {
        result.targetDpid = numberOf(fields.at(1));
        if (!result.targetDpid || *result.targetDpid == 0)
            return fail(u"the target DPID \"%1\" is not a data source ID (a positive number)"_s
                            .arg(fields.at(1).left(kMaxDetail)));
    }
    return result;
}

BatchLine BatchLineParser::parse(QByteArrayView rawLine, bool truncated)
{
    BatchLine line;
    line.number = ++m_lineNumber;
    if (truncated)
        return skipped(line, BatchSkip::LineTooLong,
                       u"over %1 bytes"_s.arg(BatchLineParser::MaxLineBytes));
    if (rawLine.endsWith('\r'))
        rawLine.chop(1);
    // A byte order mark may open a UTF-8 file; anywhere else it is text like any other.
    if (line.number == 1 && rawLine.startsWith("\xEF\xBB\xBF"))
        rawLine = rawLine.sliced(3);
    if (rawLine.isEmpty())
        return skipped(line, BatchSkip::EmptyLine);
    if (!QUtf8StringView(rawLine).isValidUtf8())
        return skipped(line, BatchSkip::InvalidUtf8);
    // Checked on the bytes: the same test, without decoding a row that is skipped anyway.
    if (rawLine.endsWith('\t') || rawLine.endsWith(' '))
        return skipped(line, BatchSkip::TrailingWhitespace);

    // QString::fromUtf8() would drop a byte order mark opening any line: past the file's
    // first bytes it is text, and kept.
    QStringDecoder decoder(QStringConverter::Utf8, QStringConverter::Flag::ConvertInitialBom);
    const QString text = decoder.decode(rawLine);
    const qsizetype tab = text.indexOf(u'\t');
    if (tab < 0)
        return skipped(line, BatchSkip::NoTab, quotedDetail(text));
    if (tab == 0)
        return skipped(line, BatchSkip::EmptyUserId);
    line.userId = text.first(tab);

    int &userLines = m_linesPerUser[qHash(QStringView(line.userId), kUserHashSeed)];
    if (++userLines > MaxLinesPerUser) {
        // Counted on, but never past the cap: a user with billions of lines stays at 201.
        userLines = MaxLinesPerUser + 1;
        return skipped(line, BatchSkip::OverUserLimit, quotedDetail(line.userId));
    }

    const QStringView itemsText = QStringView(text).sliced(tab + 1);
    for (const QStringView itemText : splitInboundItems(itemsText)) {
        QString error;
        if (std::optional<InboundItem> item = parseInboundItem(itemText, &error))
            line.items.append(std::move(*item));
        else
            line.badItems.append({itemText.left(kMaxDetail).toString(), error});
    }
    if (line.items.isEmpty())
        return skipped(line, BatchSkip::NoValidItem, quotedDetail(itemsText));
    return line;
}

} // namespace Dcs
