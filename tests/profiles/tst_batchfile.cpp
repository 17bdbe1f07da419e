// Batch inbound files without a database (dcs-api.md, "Batch inbound files"): the file name,
// the inbound item syntax, one line at a time through BatchLineParser, and reading plain and
// gzip files line by line.
#include "gzipfile.h"

#include "partners/inbounditem.h"
#include "profiles/batchfile.h"
#include "profiles/batchfilereader.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Dcs;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Dcs::InboundItem::Kind)

namespace {

// Every line of `path` as the reader hands them over, or the open error as one entry "!...".
QList<QByteArray> linesOf(const QString &path, bool gzipped, qsizetype maxLineBytes,
                          QList<bool> *truncated = nullptr, QString *readError = nullptr)
{
    BatchFileReader reader(maxLineBytes);
    QString error;
    if (!reader.open(path, gzipped, &error))
        return {'!' + error.toUtf8()};
    QList<QByteArray> lines;
    BatchFileReader::Line line;
    while (reader.readLine(&line)) {
        lines.append(line.bytes);
        if (truncated)
            truncated->append(line.truncated);
    }
    if (readError)
        *readError = reader.errorString();
    return lines;
}

} // namespace

class TestBatchFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fileNames_data();
    void fileNames();

    void inboundItems_data();
    void inboundItems();
    void splitItems_data();
    void splitItems();

    void lines_data();
    void lines();
    void lineNumbersCountEveryLine();
    void byteOrderMarkOnlyOpensTheFile();
    void atMost200LinesPerUserId();

    void readsPlainAndGzip_data();
    void readsPlainAndGzip();
    void longLinesAreCut();
    void refusesWhatItCannotRead_data();
    void refusesWhatItCannotRead();
    void damagedGzipStopsWithAReason_data();
    void damagedGzipStopsWithAReason();

private:
    QTemporaryDir m_dir;
};

// --- file names ---------------------------------------------------------------------------

void TestBatchFile::fileNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("dpid");
    QTest::addColumn<qint64>("target"); // -1: none
    QTest::addColumn<qint64>("timestamp");
    QTest::addColumn<bool>("overwrite");
    QTest::addColumn<qint64>("part"); // -1: none
    QTest::addColumn<bool>("gzipped");
    QTest::addColumn<QString>("errorContains");

    const auto valid = [](const char *tag, const char *name, qint64 dpid, qint64 target,
                          qint64 timestamp, bool overwrite, qint64 part, bool gzipped) {
        QTest::newRow(tag) << QString::fromUtf8(name) << true << dpid << target << timestamp
                           << overwrite << part << gzipped << QString();
    };
    valid("sync", "ftp_dpm_21_1234567890.sync", 21, -1, 1234567890, false, -1, false);
    valid("overwrite", "ftp_dpm_21_1234567890.overwrite", 21, -1, 1234567890, true, -1, false);
    valid("target DPID", "ftp_dpm_20914_1955_1700000000.sync", 20914, 1955, 1700000000, false,
          -1, false);
    valid("part", "ftp_dpm_21_1234567890.sync.3", 21, -1, 1234567890, false, 3, false);
    valid("gzip", "ftp_dpm_21_1234567890.sync.gz", 21, -1, 1234567890, false, -1, true);
    valid("everything", "ftp_dpm_20915_21_1700000000.overwrite.12.gz", 20915, 21, 1700000000,
          true, 12, true);
    valid("in a directory", "/var/inbound/ftp_dpm_21_1234567890.sync", 21, -1, 1234567890,
          false, -1, false);
    valid("leading zeros", "ftp_dpm_0021_0000000000.sync", 21, -1, 0, false, -1, false);

    const auto invalid = [](const char *tag, const char *name, const char *errorContains) {
        QTest::newRow(tag) << QString::fromUtf8(name) << false << qint64(0) << qint64(-1)
                           << qint64(0) << false << qint64(-1) << false
                           << QString::fromUtf8(errorContains);
    };
    invalid("empty", "", "does not start with ftp_dpm_");
    invalid("no prefix", "dpm_21_1234567890.sync", "does not start with ftp_dpm_");
    invalid("upper-case prefix", "FTP_DPM_21_1234567890.sync", "does not start with ftp_dpm_");
    invalid("no mode", "ftp_dpm_21_1234567890", "no .sync or .overwrite");
    invalid("only gz", "ftp_dpm_21_1234567890.gz", "no .sync or .overwrite");
    invalid("other mode", "ftp_dpm_21_1234567890.txt", "\"txt\" is neither sync nor overwrite");
    invalid("upper-case mode", "ftp_dpm_21_1234567890.SYNC", "neither sync nor overwrite");
    invalid("9-digit timestamp", "ftp_dpm_21_123456789.sync", "not 10 digits");
    invalid("11-digit timestamp", "ftp_dpm_21_12345678901.sync", "not 10 digits");
    invalid("timestamp with letters", "ftp_dpm_21_12345x7890.sync", "not 10 digits");
    invalid("no DPID", "ftp_dpm_1234567890.sync", "a DPID, an optional target DPID");
    invalid("four fields", "ftp_dpm_1_2_3_1234567890.sync", "a DPID, an optional target DPID");
    invalid("empty DPID", "ftp_dpm__1234567890.sync", "the DPID \"\"");
    invalid("DPID not a number", "ftp_dpm_x_1234567890.sync", "the DPID \"x\"");
    invalid("DPID zero", "ftp_dpm_0_1234567890.sync", "a positive number");
    invalid("DPID too long", "ftp_dpm_1234567890123456789_1234567890.sync", "the DPID");
    invalid("target not a number", "ftp_dpm_21_abc_1234567890.sync", "the target DPID \"abc\"");
    invalid("part not a number", "ftp_dpm_21_1234567890.sync.x", "the part number \"x\"");
    invalid("two parts", "ftp_dpm_21_1234567890.sync.1.2", "too many dot-separated parts");
    invalid("gz twice", "ftp_dpm_21_1234567890.sync.gz.gz", "the part number \"gz\"");
    invalid("dot in the DPID", "ftp_dpm_2.1_1234567890.sync", "neither sync nor overwrite");
}

void TestBatchFile::fileNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QFETCH(qint64, dpid);
    QFETCH(qint64, target);
    QFETCH(qint64, timestamp);
    QFETCH(bool, overwrite);
    QFETCH(qint64, part);
    QFETCH(bool, gzipped);
    QFETCH(QString, errorContains);

    QString error;
    const std::optional<BatchFileName> parsed = BatchFileName::parse(name, &error);
    QCOMPARE(parsed.has_value(), valid);
    if (!valid) {
        QVERIFY2(error.contains(errorContains), qPrintable(error));
        QVERIFY2(error.contains(u"expected ftp_dpm_<DPID>"_s), qPrintable(error));
        return;
    }
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(parsed->dpid, dpid);
    QCOMPARE(parsed->targetDpid.value_or(-1), target);
    QCOMPARE(parsed->traitDataSource(), target < 0 ? dpid : target);
    QCOMPARE(parsed->timestampSeconds, timestamp);
    QCOMPARE(parsed->mode == BatchFileName::Mode::Overwrite, overwrite);
    QCOMPARE(parsed->modeName(), overwrite ? u"overwrite"_s : u"sync"_s);
    QCOMPARE(parsed->part.value_or(-1), part);
    QCOMPARE(parsed->gzipped, gzipped);
}

// --- items --------------------------------------------------------------------------------

void TestBatchFile::inboundItems_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<InboundItem::Kind>("kind");
    QTest::addColumn<qint64>("sid");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("errorContains");

    using Kind = InboundItem::Kind;
    const auto row = [](const char *tag, const char *text, Kind kind, qint64 sid,
                        const char *code, const char *key, const char *value) {
        QTest::newRow(tag) << QString::fromUtf8(text) << true << kind << sid
                           << QString::fromUtf8(code) << QString::fromUtf8(key)
                           << QString::fromUtf8(value) << QString();
    };
    row("d_sid", "d_sid=123", Kind::AddTrait, 123, "", "", "");
    row("d_sid spaced", "  d_sid=123 ", Kind::AddTrait, 123, "", "", "");
    row("d_sid quoted", "\"d_sid\"=\"123\"", Kind::AddTrait, 123, "", "", "");
    row("d_sid largest", "d_sid=2147483647", Kind::AddTrait, 2147483647, "", "", "");
    row("d_unsid", "d_unsid=77", Kind::RemoveTrait, 77, "", "", "");
    row("N:0", "77:0", Kind::RemoveTrait, 77, "", "", "");
    row("N:-1", "77:-1", Kind::RemoveTrait, 77, "", "", "");
    row("N:0 quoted", "\"77:0\"", Kind::RemoveTrait, 77, "", "", "");
    row("bare code", "auto", Kind::Code, 0, "auto", "", "");
    row("quoted code", "\"auto\"", Kind::Code, 0, "auto", "", "");
    row("numeric code", "1606170", Kind::Code, 0, "1606170", "", "");
    row("ic=", "ic=auto", Kind::Code, 0, "auto", "", "");
    row("ic= quoted", "ic=\"seg-1.2:x\"", Kind::Code, 0, "seg-1.2:x", "", "");
    row("code with colon", "seg:1", Kind::Code, 0, "seg:1", "", "");
    row("N:1 is a code", "77:1", Kind::Code, 0, "77:1", "", "");
    row("0:0 is a code", "0:0", Kind::Code, 0, "0:0", "", "");
    row("64-character code", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        Kind::Code, 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "", "");
    row("key=value", "c_make=ford", Kind::Signal, 0, "", "c_make", "ford");
    row("key=value quoted", "\"c_make\"=\"ford\"", Kind::Signal, 0, "", "c_make", "ford");
    row("value with space", "gender=\"m f\"", Kind::Signal, 0, "", "gender", "m f");
    row("value with comma", "k=\"a,b\"", Kind::Signal, 0, "", "k", "a,b");
    row("value with equals", "k=a=b", Kind::Signal, 0, "", "k", "a=b");
    row("key with dot and dash", "x.y-z_1=1", Kind::Signal, 0, "", "x.y-z_1", "1");
    row("unicode value", "city=München", Kind::Signal, 0, "", "city", "München");

    const auto bad = [](const char *tag, const char *text, const char *errorContains) {
        QTest::newRow(tag) << QString::fromUtf8(text) << false << Kind::Code << qint64(0)
                           << QString() << QString() << QString()
                           << QString::fromUtf8(errorContains);
    };
    bad("empty", "", "empty item");
    bad("blank", "   ", "empty item");
    bad("d_sid without value", "d_sid=", "d_sid needs a trait ID");
    bad("d_sid zero", "d_sid=0", "d_sid needs a trait ID");
    bad("d_sid negative", "d_sid=-1", "d_sid needs a trait ID");
    bad("d_sid too large", "d_sid=2147483648", "d_sid needs a trait ID");
    bad("d_sid not a number", "d_sid=12a", "not \"12a\"");
    bad("d_unsid not a number", "d_unsid=x", "d_unsid needs a trait ID");
    bad("ic without code", "ic=", "is not a valid code");
    bad("ic with space", "ic=a b", "\"a b\" is not a valid code");
    bad("code with space", "a b", "\"a b\" is not a valid code");
    bad("65-character code",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "is not a valid code");
    bad("non-ASCII code", "é", "is not a valid code");
    bad("lone quote", "\"", "is not a valid code");
    bad("no key", "=value", "\"\" is not a valid key");
    bad("key with space", "bad key=1", "\"bad key\" is not a valid key");
    bad("no value", "k=", "key \"k\" has no value");
    bad("empty quoted value", "k=\"\"", "key \"k\" has no value");
}

void TestBatchFile::inboundItems()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(InboundItem::Kind, kind);
    QFETCH(qint64, sid);
    QFETCH(QString, code);
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, errorContains);

    QString error;
    const std::optional<InboundItem> item = parseInboundItem(text, &error);
    QCOMPARE(item.has_value(), valid);
    if (!valid) {
        QVERIFY2(error.contains(errorContains), qPrintable(error));
        return;
    }
    QCOMPARE(item->kind, kind);
    QCOMPARE(item->sid, sid);
    QCOMPARE(item->code, code);
    QCOMPARE(item->key, key);
    QCOMPARE(item->value, value);
}

void TestBatchFile::splitItems_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("items");

    QTest::newRow("empty") << QString() << QStringList{};
    QTest::newRow("one") << u"a"_s << QStringList{u"a"_s};
    QTest::newRow("three") << u"a,b,c"_s << QStringList{u"a"_s, u"b"_s, u"c"_s};
    QTest::newRow("spaces kept") << u" a , b"_s << QStringList{u" a "_s, u" b"_s};
    QTest::newRow("empty between") << u"a,,b"_s << QStringList{u"a"_s, QString(), u"b"_s};
    QTest::newRow("trailing comma") << u"a,"_s << QStringList{u"a"_s, QString()};
    QTest::newRow("only a comma") << u","_s << QStringList{QString(), QString()};
    QTest::newRow("comma in quotes")
        << u"\"k\"=\"a,b\",c"_s << QStringList{u"\"k\"=\"a,b\""_s, u"c"_s};
    QTest::newRow("quotes closed before comma")
        << u"k=\"x\",\"y\""_s << QStringList{u"k=\"x\""_s, u"\"y\""_s};
    QTest::newRow("unclosed quote runs to the end")
        << u"a,\"b,c"_s << QStringList{u"a"_s, u"\"b,c"_s};
}

void TestBatchFile::splitItems()
{
    QFETCH(QString, text);
    QFETCH(QStringList, items);

    QStringList split;
    for (const QStringView item : splitInboundItems(text))
        split.append(item.toString());
    QCOMPARE(split, items);
}

// --- lines ------------------------------------------------------------------------------

void TestBatchFile::lines_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QString>("skipReason"); // empty: applied
    QTest::addColumn<QString>("userId");
    QTest::addColumn<QStringList>("items"); // kind:payload, in order
    QTest::addColumn<QStringList>("badItems");

    const QStringList none;
    QTest::newRow("every item form")
        << QByteArray("u1\td_sid=5,d_unsid=6,7:0,8:-1,auto,ic=boat,c_make=ford")
        << QString() << u"u1"_s
        << QStringList{u"add:5"_s, u"remove:6"_s, u"remove:7"_s, u"remove:8"_s, u"code:auto"_s,
                       u"code:boat"_s, u"signal:c_make=ford"_s}
        << none;
    QTest::newRow("CRLF") << QByteArray("u1\tauto\r") << QString() << u"u1"_s
                          << QStringList{u"code:auto"_s} << none;
    QTest::newRow("quotes") << QByteArray("u1\t\"k\"=\"a,b\",\"auto\",ic=\"boat\"")
                            << QString() << u"u1"_s
                            << QStringList{u"signal:k=a,b"_s, u"code:auto"_s, u"code:boat"_s}
                            << none;
    QTest::newRow("bad items left out")
        << QByteArray("u1\tgood,bad item,d_sid=x,,d_sid=9") << QString() << u"u1"_s
        << QStringList{u"code:good"_s, u"add:9"_s}
        << QStringList{u"bad item"_s, u"d_sid=x"_s, QString()};
    QTest::newRow("UTF-8 user ID") << QByteArray("m\xc3\xbcller\tauto") << QString()
                                   << u"müller"_s << QStringList{u"code:auto"_s} << none;
    QTest::newRow("UUID") << QByteArray("06151304227769720433039235178204449977\td_sid=1")
                          << QString() << u"06151304227769720433039235178204449977"_s
                          << QStringList{u"add:1"_s} << none;
    QTest::newRow("byte order mark") << QByteArray("\xef\xbb\xbfu1\tauto") << QString()
                                     << u"u1"_s << QStringList{u"code:auto"_s} << none;

    const auto skipped = [](const char *tag, const QByteArray &raw, QLatin1String reason) {
        QTest::newRow(tag) << raw << QString(reason) << QString() << QStringList()
                           << QStringList();
    };
    skipped("empty", QByteArray(""), BatchSkip::EmptyLine);
    skipped("only CR", QByteArray("\r"), BatchSkip::EmptyLine);
    skipped("ends in a tab", QByteArray("u1\tauto\t"), BatchSkip::TrailingWhitespace);
    skipped("ends in a space", QByteArray("u1\tauto "), BatchSkip::TrailingWhitespace);
    skipped("space before CRLF", QByteArray("u1\tauto \r"), BatchSkip::TrailingWhitespace);
    skipped("tab and nothing", QByteArray("u1\t"), BatchSkip::TrailingWhitespace);
    skipped("only spaces", QByteArray("   "), BatchSkip::TrailingWhitespace);
    skipped("no tab", QByteArray("u1 auto"), BatchSkip::NoTab);
    skipped("no user ID", QByteArray("\tauto"), BatchSkip::EmptyUserId);
    skipped("invalid byte", QByteArray("u\xff\tauto"), BatchSkip::InvalidUtf8);
    skipped("truncated sequence", QByteArray("u1\tcity=M\xc3"), BatchSkip::InvalidUtf8);
    skipped("bad continuation", QByteArray("u1\t\xc3\x28"), BatchSkip::InvalidUtf8);
    skipped("overlong", QByteArray("u1\t\xc0\xaf"), BatchSkip::InvalidUtf8);
    skipped("surrogate", QByteArray("u1\t\xed\xa0\x80"), BatchSkip::InvalidUtf8);
    skipped("Latin-1", QByteArray("u1\tcity=M\xfcnchen"), BatchSkip::InvalidUtf8);
}

void TestBatchFile::lines()
{
    QFETCH(QByteArray, raw);
    QFETCH(QString, skipReason);
    QFETCH(QString, userId);
    QFETCH(QStringList, items);
    QFETCH(QStringList, badItems);

    BatchLineParser parser;
    const BatchLine line = parser.parse(raw);
    QCOMPARE(line.number, qint64(1));
    QCOMPARE(line.skipReason, skipReason);
    QCOMPARE(line.isSkipped(), !skipReason.isEmpty());
    if (line.isSkipped())
        return;
    QCOMPARE(line.userId, userId);
    QStringList described;
    for (const InboundItem &item : line.items) {
        switch (item.kind) {
        case InboundItem::Kind::AddTrait: described.append(u"add:%1"_s.arg(item.sid)); break;
        case InboundItem::Kind::RemoveTrait:
            described.append(u"remove:%1"_s.arg(item.sid));
            break;
        case InboundItem::Kind::Code: described.append(u"code:"_s + item.code); break;
        case InboundItem::Kind::Signal:
            described.append(u"signal:%1=%2"_s.arg(item.key, item.value));
            break;
        }
    }
    QCOMPARE(described, items);
    QStringList bad;
    for (const BatchLine::BadItem &item : line.badItems) {
        bad.append(item.text);
        QVERIFY(!item.reason.isEmpty());
    }
    QCOMPARE(bad, badItems);
}

void TestBatchFile::lineNumbersCountEveryLine()
{
    BatchLineParser parser;
    const QList<QByteArray> raw = {"u1\ta", "", "bad\t", "u2\tb", "\r", "u3\t,"};
    QList<qint64> applied;
    QStringList reasons;
    for (const QByteArray &bytes : raw) {
        const BatchLine line = parser.parse(bytes);
        if (line.isSkipped())
            reasons.append(u"%1 %2"_s.arg(QString::number(line.number), line.skipReason));
        else
            applied.append(line.number);
    }
    QCOMPARE(applied, (QList<qint64>{1, 4}));
    QCOMPARE(reasons, (QStringList{u"2 "_s + BatchSkip::EmptyLine,
                                   u"3 "_s + BatchSkip::TrailingWhitespace,
                                   u"5 "_s + BatchSkip::EmptyLine,
                                   u"6 "_s + BatchSkip::NoValidItem}));
    QCOMPARE(parser.linesParsed(), qint64(6));
}

// Only the file's first bytes may be a byte order mark: elsewhere U+FEFF is part of the text.
void TestBatchFile::byteOrderMarkOnlyOpensTheFile()
{
    BatchLineParser parser;
    QCOMPARE(parser.parse("\xef\xbb\xbfu1\tauto").userId, u"u1"_s);
    QCOMPARE(parser.parse("\xef\xbb\xbfu1\tauto").userId, u"\ufeffu1"_s);
}

void TestBatchFile::atMost200LinesPerUserId()
{
    BatchLineParser parser;
    int appliedA = 0;
    int appliedB = 0;
    QList<qint64> overLimit;
    for (int i = 0; i < 250; ++i) {
        const BatchLine a = parser.parse("user-a\tauto");
        const BatchLine b = parser.parse("user-b\td_sid=1");
        appliedA += a.isSkipped() ? 0 : 1;
        appliedB += b.isSkipped() ? 0 : 1;
        if (a.isSkipped()) {
            QCOMPARE(a.skipReason, QString(BatchSkip::OverUserLimit));
            QCOMPARE(a.skipDetail, u"\"user-a\""_s);
            overLimit.append(a.number);
        }
    }
    QCOMPARE(appliedA, BatchLineParser::MaxLinesPerUser);
    QCOMPARE(appliedB, BatchLineParser::MaxLinesPerUser);
    QCOMPARE(overLimit.size(), qsizetype(50));
    QCOMPARE(overLimit.first(), qint64(401)); // user A's 201st line is the file's 401st
    // Lines that are skipped for their own fault still count toward the cap: Audience Manager
    // keeps a user's first 200 lines, not the first 200 good ones.
    BatchLineParser second;
    for (int i = 0; i < 200; ++i)
        QCOMPARE(second.parse("u\t,").skipReason, QString(BatchSkip::NoValidItem));
    QCOMPARE(second.parse("u\tauto").skipReason, QString(BatchSkip::OverUserLimit));
}

// --- reading files --------------------------------------------------------------------------

void TestBatchFile::readsPlainAndGzip_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QList<QByteArray>>("lines");

    QTest::newRow("LF") << QByteArray("a\tx\nb\ty\n") << QList<QByteArray>{"a\tx", "b\ty"};
    QTest::newRow("CRLF kept for the parser")
        << QByteArray("a\tx\r\nb\ty\r\n") << QList<QByteArray>{"a\tx\r", "b\ty\r"};
    QTest::newRow("no newline at the end")
        << QByteArray("a\tx\nb\ty") << QList<QByteArray>{"a\tx", "b\ty"};
    QTest::newRow("empty lines") << QByteArray("\n\na\tx\n\n")
                                 << QList<QByteArray>{"", "", "a\tx", ""};
    QTest::newRow("empty file") << QByteArray() << QList<QByteArray>{};
    QTest::newRow("only a newline") << QByteArray("\n") << QList<QByteArray>{""};
    QByteArray many;
    QList<QByteArray> manyLines;
    // Over a megabyte: lines cross the reader's buffer boundaries.
    for (int i = 0; i < 40000; ++i) {
        const QByteArray line = "user-" + QByteArray::number(i) + "\td_sid=" +
                                QByteArray::number(i % 97 + 1);
        many += line + '\n';
        manyLines.append(line);
    }
    QTest::newRow("many lines") << many << manyLines;
}

void TestBatchFile::readsPlainAndGzip()
{
    QFETCH(QByteArray, contents);
    QFETCH(QList<QByteArray>, lines);

    const QString plain = m_dir.filePath(u"ftp_dpm_1_1700000000.sync"_s);
    QVERIFY(GzipFile::write(plain, contents));
    QString error;
    QCOMPARE(linesOf(plain, false, BatchLineParser::MaxLineBytes, nullptr, &error), lines);
    QVERIFY2(error.isEmpty(), qPrintable(error));

    const QString gzipped = m_dir.filePath(u"ftp_dpm_1_1700000000.sync.gz"_s);
    const QByteArray compressed = GzipFile::compress(contents);
    QVERIFY(!compressed.isEmpty());
    QVERIFY(GzipFile::write(gzipped, compressed));
    QCOMPARE(linesOf(gzipped, true, BatchLineParser::MaxLineBytes, nullptr, &error), lines);
    QVERIFY2(error.isEmpty(), qPrintable(error));

    // Two gzip members one after the other read as one file, as gunzip reads them.
    if (!contents.isEmpty() && !contents.endsWith('\n'))
        return; // the second member's line would continue the first's last
    const QString members = m_dir.filePath(u"ftp_dpm_1_1700000000.sync.1.gz"_s);
    QVERIFY(GzipFile::write(members, compressed + GzipFile::compress("last\tline\n")));
    QCOMPARE(linesOf(members, true, BatchLineParser::MaxLineBytes, nullptr, &error),
             lines + QList<QByteArray>{"last\tline"});
}

void TestBatchFile::longLinesAreCut()
{
    const QString path = m_dir.filePath(u"long.gz"_s);
    QVERIFY(GzipFile::write(path, GzipFile::compress("short\n0123456789ABCDEF\nnext\n"
                                                     "0123456789\nlast-without-newline-xx")));
    QList<bool> truncated;
    QString error;
    QCOMPARE(linesOf(path, true, 10, &truncated, &error),
             (QList<QByteArray>{"short", "0123456789", "next", "0123456789", "last-witho"}));
    QCOMPARE(truncated, (QList<bool>{false, true, false, false, true}));
    QVERIFY2(error.isEmpty(), qPrintable(error));

    // The parser skips a cut line with its reason, whatever the kept bytes say.
    BatchLineParser parser;
    const BatchLine line = parser.parse("u\tauto", true);
    QCOMPARE(line.skipReason, QString(BatchSkip::LineTooLong));
}

void TestBatchFile::refusesWhatItCannotRead_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("contents"); // null: no such file
    QTest::addColumn<bool>("gzipped");
    QTest::addColumn<QString>("errorContains");

    QTest::newRow("missing") << u"missing.sync"_s << QByteArray() << false << u"no such file"_s;
    QTest::newRow("directory") << u"."_s << QByteArray() << false << u"is a directory"_s;
    QTest::newRow(".gz with plain content")
        << u"plain.gz"_s << QByteArray("u\tauto\n") << true << u"not gzip-compressed"_s;
    QTest::newRow("empty .gz") << u"empty.gz"_s << QByteArray("") << true
                               << u"not gzip-compressed"_s;
    QTest::newRow("gzip content without .gz")
        << u"compressed.sync"_s << GzipFile::compress("u\tauto\n") << false
        << u"does not end in .gz"_s;
}

void TestBatchFile::refusesWhatItCannotRead()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, contents);
    QFETCH(bool, gzipped);
    QFETCH(QString, errorContains);

    const QString path = name == u"."_s ? m_dir.path() : m_dir.filePath(name);
    if (!contents.isNull())
        QVERIFY(GzipFile::write(path, contents));
    BatchFileReader reader;
    QString error;
    QVERIFY(!reader.open(path, gzipped, &error));
    QVERIFY2(error.contains(errorContains), qPrintable(error));
    QVERIFY2(error.startsWith(path), qPrintable(error));
    BatchFileReader::Line line;
    QVERIFY(!reader.readLine(&line));
}

namespace {

constexpr int kDamagedLines = 5000;

QByteArray damagedLine(int i)
{
    return "user-" + QByteArray::number(i) + "\tauto,d_sid=" + QByteArray::number(i + 1);
}

} // namespace

void TestBatchFile::damagedGzipStopsWithAReason_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<bool>("cutOnly"); // what was read is the file's start, intact

    QByteArray text;
    for (int i = 0; i < kDamagedLines; ++i)
        text += damagedLine(i) + '\n';
    const QByteArray compressed = GzipFile::compress(text);
    QTest::newRow("truncated") << compressed.first(compressed.size() / 2) << true;
    QTest::newRow("trailer cut") << compressed.first(compressed.size() - 4) << true;
    QByteArray corrupted = compressed;
    for (qsizetype i = corrupted.size() / 2; i < corrupted.size() / 2 + 16; ++i)
        corrupted[i] = char(corrupted.at(i) ^ 0x5a);
    QTest::newRow("corrupted") << corrupted << false;
}

// A damaged file must not pass for a shorter one: reading stops with an error, and the half
// line at the damage is not handed over as a line.
void TestBatchFile::damagedGzipStopsWithAReason()
{
    QFETCH(QByteArray, contents);
    QFETCH(bool, cutOnly);

    const QString path = m_dir.filePath(u"damaged.sync.gz"_s);
    QVERIFY(GzipFile::write(path, contents));
    QString error;
    const QList<QByteArray> lines = linesOf(path, true, BatchLineParser::MaxLineBytes, nullptr,
                                            &error);
    QVERIFY2(!error.isEmpty(), "a damaged gzip file read without an error");
    if (!cutOnly)
        return; // corrupted data may inflate to garbage before zlib notices
    // Before the cut the lines are the file's own, and none of them is half a line.
    QVERIFY(lines.size() <= kDamagedLines);
    for (qsizetype i = 0; i < lines.size(); ++i)
        QCOMPARE(lines.at(i), damagedLine(int(i)));
}

QTEST_GUILESS_MAIN(TestBatchFile)
#include "tst_batchfile.moc"
