#include "partners/inbounditem.h"
#include "partners/partneranswer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>

using namespace Dcs;

namespace {

QByteArray nested(int depth, QByteArrayView inner)
{
    QByteArray text;
    for (int i = 0; i < depth; ++i)
        text += '[';
    text += inner;
    for (int i = 0; i < depth; ++i)
        text += ']';
    return text;
}

QByteArray cat(std::initializer_list<QByteArrayView> parts)
{
    QByteArray text;
    for (const QByteArrayView part : parts)
        text += part;
    return text;
}

QByteArray padded(QByteArray json, qsizetype size)
{
    while (json.size() < size)
        json += ' ';
    return json;
}

} // namespace

// PartnerAnswer::parse against partner-protocol.md "The answer", one row per case, then
// promises that must hold for any input at all.
class tst_PartnerAnswer : public QObject
{
    Q_OBJECT

private:
    // Every promise of partneranswer.h that does not depend on the input.
    static void checkInvariants(int status, QByteArrayView contentType, QByteArrayView body,
                                const PartnerAnswerResult &result)
    {
        const TransferOutcome outcome = result.outcome;
        QVERIFY(outcome == TransferOutcome::Ok || outcome == TransferOutcome::Empty
                || outcome == TransferOutcome::HttpError || outcome == TransferOutcome::BadAnswer);
        QCOMPARE(outcome == TransferOutcome::HttpError, status != 200 && status != 204);
        QCOMPARE(result.reason.isEmpty(), outcome == TransferOutcome::Ok);
        QVERIFY(result.reason.size() < 400);
        for (const QChar c : result.reason)
            QVERIFY2(c.unicode() >= 0x20 && c.unicode() != 0x7f, qPrintable(result.reason));
        if (outcome != TransferOutcome::Ok && outcome != TransferOutcome::Empty) {
            QVERIFY(result.segments.isEmpty() && result.unsegments.isEmpty());
            QVERIFY(result.directSids.isEmpty() && result.removedSids.isEmpty());
            QVERIFY(!result.ttlDays);
            return;
        }
        QCOMPARE(outcome == TransferOutcome::Ok, !result.segments.isEmpty());
        for (const QStringList *codes : {&result.segments, &result.unsegments}) {
            QCOMPARE(QSet<QString>(codes->begin(), codes->end()).size(), codes->size());
            for (const QString &code : *codes)
                QVERIFY2(isValidPartnerCode(code), qPrintable(code));
        }
        for (const QString &code : result.segments)
            QVERIFY(!result.unsegments.contains(code));
        for (const QList<qint64> *sids : {&result.directSids, &result.removedSids}) {
            QCOMPARE(QSet<qint64>(sids->begin(), sids->end()).size(), sids->size());
            for (const qint64 sid : *sids)
                QVERIFY(sid >= 1 && sid <= 2147483647);
        }
        for (const qint64 sid : result.directSids)
            QVERIFY(!result.removedSids.contains(sid));
        if (result.ttlDays)
            QVERIFY(*result.ttlDays >= 1 && *result.ttlDays <= PartnerAnswer::MaxTtlDays);
        if (status == 200) {
            QVERIFY(body.size() <= PartnerAnswer::MaxBodyBytes);
            if (contentType.toByteArray().toLower().startsWith("application/json")) {
                // Never more lenient than Qt's own JSON parser, but for numbers a double
                // cannot hold (1e999): RFC 8259 leaves their range open.
                QJsonParseError error;
                const QJsonDocument document = QJsonDocument::fromJson(body.toByteArray(),
                                                                       &error);
                QVERIFY2((error.error == QJsonParseError::NoError && document.isObject())
                             || error.error == QJsonParseError::IllegalNumber,
                         body.constData());
            }
        }
    }

    static void row(const char *name, int status, const QByteArray &contentType,
                    const QByteArray &body, TransferOutcome outcome, const QString &reason,
                    std::initializer_list<const char *> segments = {},
                    std::initializer_list<const char *> unsegments = {}, int ttl = -1,
                    const QList<qint64> &directSids = {}, const QList<qint64> &removedSids = {})
    {
        const auto strings = [](std::initializer_list<const char *> list) {
            QStringList result;
            for (const char *text : list)
                result << QString::fromUtf8(text);
            return result;
        };
        QTest::newRow(name) << status << contentType << body << int(outcome) << reason
                            << strings(segments) << strings(unsegments) << ttl << directSids
                            << removedSids;
    }

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("outcome");
        QTest::addColumn<QString>("reason"); // a part of it; empty: the reason must be empty
        QTest::addColumn<QStringList>("segments");
        QTest::addColumn<QStringList>("unsegments");
        QTest::addColumn<int>("ttl"); // -1: none
        QTest::addColumn<QList<qint64>>("directSids");
        QTest::addColumn<QList<qint64>>("removedSids");

        const QByteArray json = "application/json";
        const QByteArray x64(64, 'x');
        const QByteArray text = "text/plain";
        using O = TransferOutcome;
        const auto s = [](const char *reason) { return QString::fromUtf8(reason); };

        // Statuses.
        row("spec example", 200, json,
            R"({"segments":["123","456"],"unsegments":["789"],"ttl":30})", O::Ok, {},
            {"123", "456"}, {"789"}, 30);
        row("204", 204, {}, {}, O::Empty, s("status 204"));
        row("204 with a body", 204, json, "{oops", O::Empty, s("status 204"));
        row("503", 503, json, R"({"segments":["1"]})", O::HttpError, s("status 503"));
        row("404 html", 404, "text/html", "<h1>no</h1>", O::HttpError, s("status 404"));
        row("202 is not 200", 202, json, R"({"segments":["1"]})", O::HttpError,
            s("status 202"));
        row("301", 301, {}, {}, O::HttpError, s("status 301"));
        row("status 0", 0, {}, {}, O::HttpError, s("status 0"));
        row("negative status", -1, json, {}, O::HttpError, s("status -1"));

        // Content types.
        row("charset", 200, "application/json; charset=utf-8", R"({"segments":["a"]})", O::Ok,
            {}, {"a"});
        row("case and spaces", 200, " Application/JSON ;Charset=UTF-8", R"({"segments":["a"]})",
            O::Ok, {}, {"a"});
        row("html", 200, "text/html; charset=utf-8", R"({"segments":["a"]})", O::BadAnswer,
            s("content type text/html is not application/json or text/plain"));
        row("no content type", 200, {}, R"({"segments":["a"]})", O::BadAnswer,
            s("no content type"));
        row("json suffix type", 200, "application/problem+json", "{}", O::BadAnswer,
            s("content type application/problem+json is not"));
        row("content type with control bytes", 200, "text/\x01\x1b[31mred", "a", O::BadAnswer,
            s("content type text/\\x01\\x1b[31mred is not"));

        // JSON shapes.
        row("empty object", 200, json, "{}", O::Empty, s("no segments"));
        row("empty segments", 200, json, R"({"segments":[]})", O::Empty, s("no segments"));
        row("null segments", 200, json, R"({"segments":null,"ttl":null})", O::Empty,
            s("no segments"));
        row("only unsegments", 200, json, R"({"unsegments":["9"]})", O::Empty,
            s("no segments"), {}, {"9"});
        row("whitespace everywhere", 200, json, " \r\n\t{ \"segments\" :\n[ \"a\" , 7 ] }\n",
            O::Ok, {}, {"a", "7"});
        row("unknown keys ignored", 200, json,
            R"({"v":2,"x":{"y":[1,-2.5e-3,{"z":null}],"s":"\u00e9\n"},"segments":["a"],"k":true})",
            O::Ok, {}, {"a"});
        row("odd but valid JSON in an unknown key", 200, json,
            R"({"x":["\ud800","\u0000","\udc00\ud800",-0.0E+5,1e999],"segments":["a"]})", O::Ok,
            {}, {"a"});
        row("duplicates collapsed, order kept", 200, json, R"({"segments":["b","a","b",1,"1"]})",
            O::Ok, {}, {"b", "a", "1"});
        row("escaped key and code", 200, json, R"({"segm\u0065nts":["\u0041B\/C"]})",
            O::BadAnswer, s(R"(code "AB/C" is not valid)"));
        row("escaped code", 200, json, R"({"segments":["\u0041B_C"]})", O::Ok, {}, {"AB_C"});
        row("a known key twice", 200, json, R"({"segments":["a"],"segments":["b"]})",
            O::BadAnswer, s(R"("segments" is given twice)"));
        row("in segments and unsegments", 200, json,
            R"({"segments":["a","b"],"unsegments":["b"]})", O::BadAnswer,
            s(R"(code "b" is both in segments and in unsegments)"));

        // Codes.
        row("numbers as codes", 200, json, R"({"segments":[123,-5,0]})", O::Ok, {},
            {"123", "-5", "0"});
        row("a 20-digit number keeps its digits", 200, json,
            R"({"segments":[12345678901234567890]})", O::Ok, {}, {"12345678901234567890"});
        row("fraction refused", 200, json, R"({"segments":[1.5]})", O::BadAnswer,
            s("segments[0] is 1.5: a code is a string or a whole number"));
        row("exponent refused", 200, json, R"({"segments":["a",1e3]})", O::BadAnswer,
            s("segments[1] is 1e3"));
        row("1.0 refused", 200, json, R"({"unsegments":[1.0]})", O::BadAnswer,
            s("unsegments[0] is 1.0"));
        row("code with a space", 200, json, R"({"segments":["a b"]})", O::BadAnswer,
            s(R"(code "a b" is not valid (1-64 of A-Z a-z 0-9 _ . : -) at segments[0])"));
        row("first bad code named", 200, json, R"({"segments":["ok","b@d","c d"]})",
            O::BadAnswer, s(R"(code "b@d" is not valid (1-64 of A-Z a-z 0-9 _ . : -) at )"
                             "segments[1]"));
        row("bad unsegment", 200, json, R"({"segments":["a"],"unsegments":["x/y"]})",
            O::BadAnswer, s("at unsegments[0]"));
        row("empty code", 200, json, R"({"segments":[""]})", O::BadAnswer,
            s(R"(code "" is not valid)"));
        row("64 characters", 200, json, cat({"{\"segments\":[\"", x64, "\"]}"}),
            O::Ok, {}, {x64.constData()});
        row("65 characters", 200, json, cat({"{\"segments\":[\"", x64, "x\"]}"}),
            O::BadAnswer, s("is not valid"));
        row("a 70-digit number", 200, json, cat({"{\"segments\":[", QByteArray(70, '7'), "]}"}),
            O::BadAnswer, s("is not valid"));
        row("all code characters", 200, json, R"({"segments":["Az09_.:-"]})", O::Ok, {},
            {"Az09_.:-"});
        row("non-ASCII code", 200, json, "{\"segments\":[\"caf\xc3\xa9\"]}", O::BadAnswer,
            s(R"(code "caf\u00e9" is not valid)"));
        row("lone surrogate escape", 200, json, R"({"segments":["\ud800"]})", O::BadAnswer,
            s(R"(code "\ud800" is not valid)"));
        row("segments not an array", 200, json, R"({"segments":"123"})", O::BadAnswer,
            s(R"("segments" must be an array of codes, not a string)"));
        row("object as a code", 200, json, R"({"segments":[{"code":"1"}]})", O::BadAnswer,
            s("segments[0] must be a code (a string or a whole number), not an object"));
        row("null as a code", 200, json, R"({"segments":["a",null]})", O::BadAnswer,
            s("segments[1] must be a code"));
        row("true as a code", 200, json, R"({"segments":[true]})", O::BadAnswer,
            s("not a boolean"));

        // TTL.
        row("ttl 1", 200, json, R"({"segments":["a"],"ttl":1})", O::Ok, {}, {"a"}, {}, 1);
        row("ttl 3650", 200, json, R"({"segments":["a"],"ttl":3650})", O::Ok, {}, {"a"}, {},
            3650);
        row("ttl 0", 200, json, R"({"segments":["a"],"ttl":0})", O::BadAnswer,
            s("ttl must be a whole number of days from 1 to 3650, not 0"));
        row("ttl 3651", 200, json, R"({"segments":["a"],"ttl":3651})", O::BadAnswer,
            s("not 3651"));
        row("ttl -1", 200, json, R"({"segments":["a"],"ttl":-1})", O::BadAnswer, s("not -1"));
        row("ttl -0", 200, json, R"({"segments":["a"],"ttl":-0})", O::BadAnswer, s("not -0"));
        row("ttl 30.0", 200, json, R"({"segments":["a"],"ttl":30.0})", O::BadAnswer,
            s("not 30.0"));
        row("ttl 1e2", 200, json, R"({"segments":["a"],"ttl":1e2})", O::BadAnswer,
            s("not 1e2"));
        row("ttl huge", 200, json, R"({"segments":["a"],"ttl":99999999999999999999})",
            O::BadAnswer, s("not 99999999999999999999"));
        row("ttl as a string", 200, json, R"({"segments":["a"],"ttl":"30"})", O::BadAnswer,
            s("not a string"));
        row("ttl twice", 200, json, R"({"ttl":5,"segments":["a"],"ttl":5})", O::BadAnswer,
            s(R"("ttl" is given twice)"));

        // Broken JSON.
        row("empty body", 200, json, {}, O::BadAnswer,
            s("invalid JSON at offset 0: the answer is empty"));
        row("spaces only", 200, json, " \n ", O::BadAnswer, s("the answer is empty"));
        row("cut short", 200, json, "{", O::BadAnswer,
            s("invalid JSON at offset 1: unexpected end of the answer"));
        row("trailing comma", 200, json, R"({"segments":["a",]})", O::BadAnswer,
            s("invalid JSON at offset 17: unexpected ']'"));
        row("trailing garbage", 200, json, R"({"segments":["a"]}x)", O::BadAnswer,
            s("invalid JSON at offset 18: unexpected data after the JSON object"));
        row("two objects", 200, json, "{}{}", O::BadAnswer, s("unexpected data after"));
        row("array root", 200, json, R"(["a"])", O::BadAnswer,
            s("the answer is an array, not a JSON object"));
        row("null root", 200, json, "null", O::BadAnswer, s("the answer is null"));
        row("number root", 200, json, "12", O::BadAnswer, s("the answer is a number"));
        row("unquoted key", 200, json, "{segments:[1]}", O::BadAnswer,
            s("offset 1: expected a string key"));
        row("single quotes", 200, json, "{'segments':[1]}", O::BadAnswer,
            s("expected a string key"));
        row("leading zero", 200, json, R"({"segments":[01]})", O::BadAnswer,
            s("invalid JSON at offset 14: unexpected '1'"));
        row("lone minus", 200, json, R"({"segments":[-]})", O::BadAnswer,
            s("offset 13: invalid number"));
        row("unterminated string", 200, json, "{\"segments\":[\"abc", O::BadAnswer,
            s("offset 13: unterminated string"));
        row("raw newline in a string", 200, json, "{\"segments\":[\"a\nb\"]}", O::BadAnswer,
            s("offset 15: control character in a string"));
        row("bad escape", 200, json, R"({"segments":["a\x"]})", O::BadAnswer,
            s("invalid escape \\x"));
        row("short \\u escape", 200, json, R"({"segments":["\u12"]})", O::BadAnswer,
            s("invalid \\u escape"));
        row("truthy typo", 200, json, R"({"x":tru,"segments":["a"]})", O::BadAnswer,
            s("offset 5: unexpected 't'"));
        row("BOM", 200, json, "\xef\xbb\xbf{}", O::BadAnswer,
            s("offset 0: unexpected byte 0xef"));
        row("nested 63 deep in an unknown key", 200, json,
            cat({"{\"x\":", nested(63, "1"), ",\"segments\":[\"a\"]}"}), O::Ok, {}, {"a"});
        row("nested 100 deep", 200, json, cat({"{\"x\":", nested(100, "1"), "}"}), O::BadAnswer,
            s("nested deeper than 64 levels"));
        row("nested 100000 deep", 200, json, nested(100000, {}), O::BadAnswer,
            s("answer over 65536 bytes"));
        row("nested 30000 deep", 200, json, nested(30000, {}), O::BadAnswer,
            s("nested deeper than 64 levels"));

        // Encoding and size.
        row("invalid UTF-8", 200, json, "{\"segments\":[\"a\xff\"]}", O::BadAnswer,
            s("invalid UTF-8 at offset 15"));
        row("overlong UTF-8", 200, json, "{\"x\":\"\xc0\xaf\"}", O::BadAnswer,
            s("invalid UTF-8 at offset 6"));
        row("UTF-8 surrogate", 200, json, "{\"x\":\"\xed\xa0\x80\"}", O::BadAnswer,
            s("invalid UTF-8 at offset 6"));
        row("UTF-8 cut short", 200, json, "{\"x\":\"\xe2\x82", O::BadAnswer,
            s("invalid UTF-8 at offset 6"));
        row("valid UTF-8 elsewhere", 200, json,
            "{\"note\":\"\xf0\x9f\x98\x80 \xe6\x9d\xb1\",\"segments\":[\"a\"]}", O::Ok, {},
            {"a"});
        row("exactly 65536 bytes", 200, json, padded(R"({"segments":["a"]})", 65536), O::Ok, {},
            {"a"});
        row("65537 bytes", 200, json, padded(R"({"segments":["a"]})", 65537), O::BadAnswer,
            s("answer over 65536 bytes"));
        row("10 MB", 200, json, QByteArray(10 * 1024 * 1024, '['), O::BadAnswer,
            s("answer over 65536 bytes"));

        // text/plain.
        row("text codes", 200, text, "123,456\n789", O::Ok, {}, {"123", "456", "789"});
        row("text CRLF", 200, "text/plain; charset=utf-8", "a\r\nb\r\n", O::Ok, {}, {"a", "b"});
        row("text empty items", 200, text, ",,a,, \n\n\r\n,", O::Ok, {}, {"a"});
        row("text empty", 200, text, {}, O::Empty, s("no segments"));
        row("text only separators", 200, text, "\r\n,\n", O::Empty, s("no segments"));
        row("text ic and quotes", 200, text, "ic=abc, \"q1\" ,ic=\"q2\"", O::Ok, {},
            {"abc", "q1", "q2"});
        row("text duplicates", 200, text, "a,a,ic=a,b", O::Ok, {}, {"a", "b"});
        row("text sids", 200, text, "d_sid=5,7:0\n8:-1,d_unsid=9,d_sid=5", O::Empty,
            s("no segments"), {}, {}, -1, {5}, {7, 8, 9});
        row("text codes and sids", 200, text, "123,d_sid=5", O::Ok, {}, {"123"}, {}, -1, {5});
        row("text code with a colon", 200, text, "a:1,12:3", O::Ok, {}, {"a:1", "12:3"});
        row("text sid added and removed", 200, text, "d_sid=5,5:0", O::BadAnswer,
            s("trait 5 is both added (d_sid) and removed"));
        row("text key=value", 200, text, "123,c_section=sports", O::BadAnswer,
            s(R"(item 2 ("c_section=sports") is a key=value signal)"));
        row("text bad code", 200, text, "ok\na b", O::BadAnswer,
            s(R"(code "a b" is not valid (1-64 of A-Z a-z 0-9 _ . : -) at item 2)"));
        row("text bad ic code", 200, text, "ic=x/y", O::BadAnswer,
            s(R"(code "x/y" is not valid (1-64 of A-Z a-z 0-9 _ . : -) at item 1)"));
        row("text bad sid", 200, text, "d_sid=abc", O::BadAnswer,
            s(R"(item 1: d_sid needs a trait ID from 1 to 2147483647, not "abc")"));
        row("text sid too large", 200, text, "d_sid=2147483648", O::BadAnswer,
            s("item 1: d_sid needs a trait ID"));
        row("text control characters", 200, text, "a\x01\x7f", O::BadAnswer,
            s(R"(code "a\u0001\u007f" is not valid)"));
        row("text JSON sent as text", 200, text, R"({"segments":["a"]})", O::BadAnswer,
            s("is not valid"));
        row("text invalid UTF-8", 200, text, "a,\xfe", O::BadAnswer,
            s("invalid UTF-8 at offset 2"));
        row("text 64 KiB of commas", 200, text, QByteArray(65536, ','), O::Empty,
            s("no segments"));
    }

    void parse()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(int, outcome);
        QFETCH(QString, reason);
        QFETCH(QStringList, segments);
        QFETCH(QStringList, unsegments);
        QFETCH(int, ttl);
        QFETCH(QList<qint64>, directSids);
        QFETCH(QList<qint64>, removedSids);

        const PartnerAnswerResult result = PartnerAnswer::parse(status, contentType, body);
        QVERIFY2(int(result.outcome) == outcome,
                 qPrintable(QStringLiteral("%1: %2")
                                .arg(transferOutcomeName(result.outcome), result.reason)));
        if (reason.isEmpty())
            QVERIFY2(result.reason.isEmpty(), qPrintable(result.reason));
        else
            QVERIFY2(result.reason.contains(reason), qPrintable(result.reason));
        QCOMPARE(result.segments, segments);
        QCOMPARE(result.unsegments, unsegments);
        QCOMPARE(result.ttlDays, ttl < 0 ? std::nullopt : std::optional<int>(ttl));
        QCOMPARE(result.directSids, directSids);
        QCOMPARE(result.removedSids, removedSids);
        checkInvariants(status, contentType, body, result);
    }

    // What Qt's parser reads from a valid answer is what ours reads.
    void agreesWithQtJson()
    {
        const QByteArray body = R"({"ttl":7,"segments":["a","b:1",42],"unsegments":["z"],)"
                                R"("extra":{"deep":[[[{}]]]}})";
        const PartnerAnswerResult result = PartnerAnswer::parse(200, "application/json", body);
        QCOMPARE(result.outcome, TransferOutcome::Ok);
        const QJsonObject object = QJsonDocument::fromJson(body).object();
        QStringList segments;
        for (const QJsonValue &value : object.value(QStringLiteral("segments")).toArray())
            segments << (value.isString() ? value.toString()
                                          : QString::number(value.toInteger()));
        QCOMPARE(result.segments, segments);
        QCOMPARE(result.unsegments, QStringList{QStringLiteral("z")});
        QCOMPARE(result.ttlDays, std::optional<int>(object.value(QStringLiteral("ttl")).toInt()));
    }

    // Many codes: linear, bounded, and collapsed.
    void manyCodes()
    {
        QByteArray body = R"({"segments":[)";
        for (int i = 0; i < 8000; ++i) {
            if (i)
                body += ',';
            body += QByteArray::number(i % 5000);
        }
        body += "]}";
        const PartnerAnswerResult result = PartnerAnswer::parse(200, "application/json", body);
        QCOMPARE(result.outcome, TransferOutcome::Ok);
        QCOMPARE(result.segments.size(), 5000);
        QCOMPARE(result.segments.last(), QStringLiteral("4999"));
    }

    // Random and mutated input: never a crash, always the invariants.
    void hostileInput()
    {
        QRandomGenerator random(20240611);
        const QList<QByteArray> seeds = {
            R"({"segments":["123","456"],"unsegments":["789"],"ttl":30})",
            R"({"x":[1,{"y":"\u00e9"}],"segments":[1,2.5]})",
            "123,ic=abc\r\nd_sid=5,7:0",
        };
        const QList<QByteArray> types = {"application/json", "text/plain", "text/html", ""};
        for (int i = 0; i < 5000; ++i) {
            QByteArray body;
            if (i % 3 == 0) {
                body.resize(random.bounded(200));
                for (char &c : body)
                    c = char(random.bounded(256));
            } else {
                body = seeds.at(random.bounded(seeds.size()));
                for (int m = random.bounded(1, 6); m > 0 && !body.isEmpty(); --m) {
                    const int at = random.bounded(int(body.size()));
                    switch (random.bounded(3)) {
                    case 0: body[at] = char(random.bounded(256)); break;
                    case 1: body.remove(at, 1); break;
                    default: body.insert(at, "[{\",:0e-\\"[random.bounded(9)]); break;
                    }
                }
            }
            const int status = (i % 17 == 0) ? 204 : (i % 19 == 0 ? 500 : 200);
            const QByteArray &type = types.at(i % types.size());
            const PartnerAnswerResult result = PartnerAnswer::parse(status, type, body);
            checkInvariants(status, type, body, result);
            if (QTest::currentTestFailed()) {
                qWarning("input: %s", body.toHex().constData());
                return;
            }
            QCOMPARE(PartnerAnswer::parse(status, type, body), result); // deterministic
        }
    }
};

QTEST_GUILESS_MAIN(tst_PartnerAnswer)
#include "tst_partneranswer.moc"
