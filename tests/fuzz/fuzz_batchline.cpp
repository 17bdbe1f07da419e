// libFuzzer target for batch inbound files: Dcs::BatchLineParser, the inbound item syntax it
// builds on (parseInboundItem, splitInboundItems) and Dcs::BatchFileName.
//
// Input: a batch file's bytes. Its first line is also tried as a file name; every line goes
// through one BatchLineParser in order, as the importer reads them (a byte 0x01 at a line's
// start marks it as cut by the reader, so that path is reached too).
//
// Checked, per line: numbers count up by one; a skipped line has a known reason and no items;
// an applied line was valid UTF-8, does not end in a tab or a space, has a non-empty user ID
// without a tab, at least one item, and its items and bad items are exactly the comma-cut
// pieces after the tab (each valid item parses again to itself, each bad one has a reason);
// no user ID gets past 200 counted lines. Per item: parsing is deterministic, an error comes
// with every refusal and never with a result, and results keep their promises (sids in
// range, codes valid, keys and values non-empty). splitInboundItems() loses no character. A
// file name parses or says why, and what parses is consistent with the name.
#include "partners/inbounditem.h"
#include "profiles/batchfile.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QUtf8StringView>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Dcs;
using namespace Qt::StringLiterals;

namespace {

[[noreturn]] void violated(const char *what, QByteArrayView input)
{
    std::fprintf(stderr, "batch line contract violated: %s\ninput: %s\n", what,
                 input.toByteArray().toPercentEncoding(" \t=,\":").constData());
    std::abort();
}

void check(bool ok, const char *what, QByteArrayView input)
{
    if (!ok)
        violated(what, input);
}

const QSet<QString> &knownSkipReasons()
{
    static const QSet<QString> reasons = {
        BatchSkip::EmptyLine,   BatchSkip::LineTooLong, BatchSkip::InvalidUtf8,
        BatchSkip::TrailingWhitespace, BatchSkip::NoTab, BatchSkip::EmptyUserId,
        BatchSkip::OverUserLimit, BatchSkip::NoValidItem};
    return reasons;
}

void checkItem(QStringView text, QByteArrayView input)
{
    QString error;
    const std::optional<InboundItem> item = parseInboundItem(text, &error);
    QString again;
    const std::optional<InboundItem> second = parseInboundItem(text, &again);
    check(item == second && error == again, "parseInboundItem is not deterministic", input);
    if (!item) {
        check(!error.isEmpty(), "an item refused without a reason", input);
        return;
    }
    check(error.isEmpty(), "a reason with a parsed item", input);
    switch (item->kind) {
    case InboundItem::Kind::AddTrait:
    case InboundItem::Kind::RemoveTrait:
        check(item->sid >= 1 && item->sid <= 2147483647, "trait ID out of range", input);
        break;
    case InboundItem::Kind::Code:
        check(isValidPartnerCode(item->code), "an invalid code accepted", input);
        break;
    case InboundItem::Kind::Signal:
        check(!item->key.isEmpty() && !item->value.isEmpty(), "empty key or value", input);
        check(item->key != u"d_sid" && item->key != u"d_unsid" && item->key != u"ic",
              "a reserved key parsed as a signal", input);
        break;
    }
}

void checkSplit(QStringView text, QByteArrayView input)
{
    const QList<QStringView> items = splitInboundItems(text);
    QString joined;
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i > 0)
            joined += u',';
        joined += items.at(i);
    }
    check(joined == text, "splitInboundItems lost or added characters", input);
    check(text.isEmpty() == items.isEmpty(), "items of empty text, or none of some", input);
}

void checkFileName(QByteArrayView bytes, QByteArrayView input)
{
    const QString name = QString::fromUtf8(bytes);
    QString error;
    const std::optional<BatchFileName> parsed = BatchFileName::parse(name, &error);
    check(parsed.has_value() == error.isEmpty(), "a name result and its error disagree", input);
    if (!parsed)
        return;
    const QString base = name.sliced(name.lastIndexOf(u'/') + 1);
    check(base.startsWith(u"ftp_dpm_"), "a name without the prefix accepted", input);
    check(parsed->dpid > 0 && parsed->targetDpid.value_or(1) > 0, "a DPID of 0 accepted",
          input);
    check(parsed->timestampSeconds >= 0 && parsed->timestampSeconds <= 9999999999LL,
          "a timestamp beyond 10 digits", input);
    check(parsed->gzipped == base.endsWith(u".gz"), "gzip flag and name disagree", input);
    check(base.contains(parsed->mode == BatchFileName::Mode::Sync ? u".sync" : u".overwrite"),
          "mode and name disagree", input);
}

void checkLine(const BatchLine &line, QByteArrayView raw, bool truncated,
               QHash<QString, int> &countedPerUser, QByteArrayView input)
{
    if (line.isSkipped()) {
        check(knownSkipReasons().contains(line.skipReason), "an unknown skip reason", input);
        check(line.items.isEmpty(), "a skipped line kept items", input);
        check(!truncated || line.skipReason == BatchSkip::LineTooLong,
              "a cut line not skipped as too long", input);
        if (line.skipReason == BatchSkip::NoValidItem)
            ++countedPerUser[line.userId];
        return;
    }
    check(!truncated, "a cut line applied", input);
    check(QUtf8StringView(raw).isValidUtf8(), "invalid UTF-8 applied", input);
    QByteArrayView content = raw;
    if (content.endsWith('\r'))
        content.chop(1);
    check(!content.endsWith('\t') && !content.endsWith(' '),
          "a row ending in a tab or a space applied", input);
    check(!line.userId.isEmpty() && !line.userId.contains(u'\t'), "bad user ID", input);
    check(!line.items.isEmpty(), "an applied line without items", input);
    check(++countedPerUser[line.userId] <= BatchLineParser::MaxLinesPerUser,
          "over 200 lines for one user ID", input);

    // The items and the bad items are the comma-cut pieces after the user ID's tab.
    const QString text = QString::fromUtf8(content);
    const QStringView itemsText = QStringView(text).sliced(text.indexOf(u'\t') + 1);
    const QList<QStringView> pieces = splitInboundItems(itemsText);
    check(pieces.size() == line.items.size() + line.badItems.size(),
          "items and bad items do not add up to the pieces", input);
    qsizetype good = 0;
    qsizetype bad = 0;
    for (const QStringView piece : pieces) {
        QString error;
        const std::optional<InboundItem> item = parseInboundItem(piece, &error);
        if (item) {
            check(good < line.items.size() && line.items.at(good++) == *item,
                  "an item differs from its piece", input);
        } else {
            check(bad < line.badItems.size() && line.badItems.at(bad++).reason == error,
                  "a bad item differs from its piece", input);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    QList<QByteArrayView> lines;
    for (qsizetype start = 0; start <= input.size();) {
        qsizetype end = input.indexOf('\n', start);
        if (end < 0)
            end = input.size();
        lines.append(input.sliced(start, end - start));
        start = end + 1;
    }
    checkFileName(lines.value(0), input);

    BatchLineParser parser;
    QHash<QString, int> countedPerUser;
    for (QByteArrayView raw : std::as_const(lines)) {
        const bool truncated = raw.startsWith('\x01');
        const BatchLine line = parser.parse(raw, truncated);
        check(line.number == parser.linesParsed(), "line numbers do not count up", input);
        checkLine(line, raw, truncated, countedPerUser, input);

        // Each piece straight through the item parser too, valid UTF-8 or not.
        const QString text = QString::fromUtf8(raw);
        checkSplit(text, input);
        for (const QStringView piece : splitInboundItems(text))
            checkItem(piece, input);
    }
    return 0;
}
