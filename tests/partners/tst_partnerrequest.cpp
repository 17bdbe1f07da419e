#include "partners/partnerrequest.h"
#include "partners/partnersigning.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Dcs;

namespace {

const QByteArray kSecret = "s3cr3t-\xff-key";

Partner acme()
{
    Partner partner;
    partner.id = 1;
    partner.name = QStringLiteral("Acme Data");
    partner.dpid = 1955;
    partner.endpoint = QStringLiteral("http://127.0.0.1:9101/lookup");
    // p_email is listed on purpose: it must still never be sent.
    partner.forwardedKeys = {QStringLiteral("c_section"), QStringLiteral("h_referer"),
                             QStringLiteral("p_email")};
    partner.mode = Partner::Mode::Live;
    return partner;
}

Signal signal(const char *key, std::initializer_list<const char *> values)
{
    Signal result{QString::fromUtf8(key), {}};
    for (const char *value : values)
        result.values << QString::fromUtf8(value);
    return result;
}

PartnerCall call()
{
    PartnerCall call;
    call.tid = QStringLiteral("31ZpxW5bQGc=");
    call.uuid = QStringLiteral("06155404425412153991709880924769879977");
    call.dpuuid = QStringLiteral("u-8812");
    call.tmaxMs = 62;
    call.timestampMs = 1763820000123;
    call.signalList = {signal("c_section", {"sports", "caf\xc3\xa9 \"news\""}),
                       signal("p_email", {"someone@example.com"}),
                       signal("c_other", {"not-forwarded"}),
                       signal("h_referer", {"https://a.example/?q=1"})};
    return call;
}

QByteArray hmacHeader(QByteArrayView timestamp, QByteArrayView payload)
{
    QByteArray message = timestamp.toByteArray();
    message += '.';
    message += payload;
    QByteArray header = "sha256=";
    header += QMessageAuthenticationCode::hash(message, kSecret, QCryptographicHash::Sha256)
                  .toHex();
    return header;
}

PartnerRequest build(const Partner &partner, const PartnerCall &input,
                     const std::optional<QByteArray> &secret = kSecret)
{
    QString error;
    const PartnerEndpoint endpoint = PartnerEndpoint::forPartner(partner, &error);
    if (!endpoint.isValid())
        qWarning("endpoint: %s", qPrintable(error));
    return PartnerRequest::build(endpoint, partner, input, secret);
}

QByteArray headOf(const QByteArray &wire)
{
    return wire.left(wire.indexOf("\r\n\r\n") + 4);
}

} // namespace

class tst_PartnerRequest : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    // Runs `command` with its first word replaced by printf, so /bin/sh prints each argument
    // as it received it, NUL-terminated.
    QStringList shellArguments(const QString &command)
    {
        const qsizetype space = command.indexOf(u' ');
        QString script = QStringLiteral("printf '%s\\0'");
        script += command.sliced(space);
        QProcess shell;
        shell.setWorkingDirectory(m_dir.path());
        shell.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script});
        if (!shell.waitForFinished(10000) || shell.exitCode() != 0)
            return {QStringLiteral("<sh failed: %1>")
                        .arg(QString::fromLocal8Bit(shell.readAllStandardError()))};
        QByteArray output = shell.readAllStandardOutput();
        output.chop(1); // the last NUL
        QStringList arguments;
        for (const QByteArray &argument : output.split('\0'))
            arguments << QString::fromUtf8(argument);
        return arguments;
    }

private Q_SLOTS:
    void jsonPostBytes()
    {
        const PartnerRequest request = build(acme(), call());
        QVERIFY(request.isValid());
        const QByteArray body =
            R"({"tid":"31ZpxW5bQGc=","uuid":"06155404425412153991709880924769879977",)"
            R"("dpid":1955,"dpuuid":"u-8812","tmax":62,"signals":{"c_section":["sports",)"
            "\"caf\xc3\xa9 \\\"news\\\"\"],"
            R"("h_referer":["https://a.example/?q=1"]},"ts":1763820000123})";
        const QByteArray signature = hmacHeader("1763820000123", body);
        QByteArray expected = "POST /lookup HTTP/1.1\r\n"
                              "Host: 127.0.0.1:9101\r\n"
                              "Content-Type: application/json\r\n"
                              "Content-Length: ";
        expected += QByteArray::number(body.size());
        expected += "\r\n"
                    "X-DCS-Tid: 31ZpxW5bQGc=\r\n"
                    "X-DCS-Timestamp: 1763820000123\r\n"
                    "X-DCS-Tmax: 62\r\n"
                    "X-DCS-Signature: ";
        expected += signature;
        expected += "\r\n"
                    "Connection: keep-alive\r\n"
                    "User-Agent: dcs-studio/" DCS_VERSION "\r\n"
                    "\r\n";
        expected += body;
        QCOMPARE(request.wire(), expected);

        QCOMPARE(request.method(), QByteArrayView("POST"));
        QCOMPARE(request.host(), QStringLiteral("127.0.0.1"));
        QCOMPARE(request.port(), quint16(9101));
        QVERIFY(!request.isHttps());
        QCOMPARE(request.pathAndQuery(), QByteArray("/lookup"));
        QCOMPARE(request.url(), QByteArray("http://127.0.0.1:9101/lookup"));
        QCOMPARE(request.body(), body);
        QVERIFY(request.isSigned());
        QVERIFY(PartnerSigning::verify(kSecret, "1763820000123", request.body(),
                                       request.header("x-dcs-signature")));
        QVERIFY(QJsonDocument::fromJson(request.body()).isObject());

        QList<PartnerRequest::Header> headers = request.headers();
        QStringList names;
        for (const auto &header : headers)
            names << QString::fromLatin1(header.first);
        QCOMPARE(names.join(u','), QStringLiteral("Host,Content-Type,Content-Length,X-DCS-Tid,"
                                                  "X-DCS-Timestamp,X-DCS-Tmax,X-DCS-Signature,"
                                                  "Connection,User-Agent"));
    }

    void getTemplateBytes()
    {
        Partner partner = acme();
        partner.style = Partner::Style::GetTemplate;
        partner.endpoint = QStringLiteral("https://partner.example/seg/${DPID}?u=${UUID}"
                                          "&d=${DPUUID}&t=${TID}&m=${TMAX}&ts=${TS}&x=%2F");
        PartnerCall input = call();
        input.tid = QStringLiteral("31Zpx+W/5bQGc=");
        input.uuid = QStringLiteral("a b&c=\u00e9/\U0001F600");
        input.dpuuid.clear();
        const PartnerRequest request = build(partner, input);
        const QByteArray path = "/seg/1955?u=a%20b%26c%3D%C3%A9%2F%F0%9F%98%80&d="
                                "&t=31Zpx%2BW%2F5bQGc%3D&m=62&ts=1763820000123&x=%2F";
        QByteArray expected = "GET ";
        expected += path;
        expected += " HTTP/1.1\r\n"
                    "Host: partner.example\r\n"
                    "X-DCS-Tid: 31Zpx+W/5bQGc=\r\n"
                    "X-DCS-Timestamp: 1763820000123\r\n"
                    "X-DCS-Tmax: 62\r\n"
                    "X-DCS-Signature: ";
        expected += hmacHeader("1763820000123", path);
        expected += "\r\n"
                    "Connection: keep-alive\r\n"
                    "User-Agent: dcs-studio/" DCS_VERSION "\r\n"
                    "\r\n";
        QCOMPARE(request.wire(), expected);
        QCOMPARE(request.method(), QByteArrayView("GET"));
        QVERIFY(request.isHttps());
        QCOMPARE(request.port(), quint16(443));
        QCOMPARE(request.pathAndQuery(), path);
        QVERIFY(request.body().isEmpty());
        QVERIFY(PartnerSigning::verify(kSecret, "1763820000123", path,
                                       request.header("X-DCS-Signature")));
        QVERIFY(!PartnerSigning::verify(kSecret, "1763820000124", path,
                                        request.header("X-DCS-Signature")));
        // get-template sends the template only: no signals.
        QVERIFY(!request.wire().contains("sports"));
    }

    void endpointShapes_data()
    {
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<QByteArray>("hostHeader");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("url");
        QTest::newRow("no path") << QStringLiteral("http://example.com")
                                 << QByteArray("example.com") << QByteArray("/")
                                 << QByteArray("http://example.com/");
        QTest::newRow("query only") << QStringLiteral("http://example.com?a=1")
                                    << QByteArray("example.com") << QByteArray("/?a=1")
                                    << QByteArray("http://example.com/?a=1");
        QTest::newRow("default port dropped") << QStringLiteral("HTTPS://EXAMPLE.com:443/x")
                                              << QByteArray("example.com") << QByteArray("/x")
                                              << QByteArray("https://example.com/x");
        QTest::newRow("other port kept") << QStringLiteral("https://example.com:80/x")
                                         << QByteArray("example.com:80") << QByteArray("/x")
                                         << QByteArray("https://example.com:80/x");
        QTest::newRow("IPv6") << QStringLiteral("http://[::1]:8080/a?b=c")
                              << QByteArray("[::1]:8080") << QByteArray("/a?b=c")
                              << QByteArray("http://[::1]:8080/a?b=c");
        QTest::newRow("IDN") << QStringLiteral("http://b\u00fccher.example/x")
                             << QByteArray("xn--bcher-kva.example") << QByteArray("/x")
                             << QByteArray("http://xn--bcher-kva.example/x");
    }

    void endpointShapes()
    {
        QFETCH(QString, endpoint);
        QFETCH(QByteArray, hostHeader);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, url);
        Partner partner = acme();
        partner.endpoint = endpoint;
        const PartnerRequest request = build(partner, call());
        QVERIFY(request.isValid());
        QCOMPARE(request.header("Host"), hostHeader);
        QCOMPARE(request.pathAndQuery(), path);
        QCOMPARE(request.url(), url);
        QByteArray head = "POST ";
        head += path;
        head += " HTTP/1.1\r\nHost: ";
        head += hostHeader;
        head += "\r\n";
        QVERIFY(request.wire().startsWith(head));
    }

    void privateAndUnlistedKeysNeverSent()
    {
        Partner partner = acme();
        partner.forwardedKeys << QStringLiteral("p_id") << QStringLiteral("c_missing");
        PartnerCall input = call();
        input.signalList << signal("p_id", {"secret-id"}) << signal("c_section", {"again"});
        const PartnerRequest request = build(partner, input);
        const QByteArray wire = request.wire();
        for (const char *absent : {"p_email", "someone@example.com", "p_id", "secret-id",
                                   "c_other", "not-forwarded", "c_missing", "again"})
            QVERIFY2(!wire.contains(absent), absent);
        const QJsonObject signals_ = QJsonDocument::fromJson(request.body())
                                         .object()
                                         .value(QStringLiteral("signals"))
                                         .toObject();
        QCOMPARE(signals_.keys(), (QStringList{QStringLiteral("c_section"),
                                               QStringLiteral("h_referer")}));

        partner.forwardedKeys.clear();
        QVERIFY(build(partner, input).body().contains(R"("signals":{},"ts")"));
    }

    void emptyDpuuidLeftOut()
    {
        PartnerCall input = call();
        input.dpuuid.clear();
        input.dpid = 77; // the data source dpuuid would belong to
        const QByteArray body = build(acme(), input).body();
        QVERIFY(!body.contains("dpuuid"));
        QVERIFY(body.contains(R"("uuid":"06155404425412153991709880924769879977","dpid":77,)"
                              R"("tmax":62,)"));
    }

    void withoutSecret()
    {
        const PartnerRequest request = build(acme(), call(), std::nullopt);
        QVERIFY(!request.isSigned());
        QVERIFY(!request.wire().contains("X-DCS-Signature"));
        QCOMPARE(request.maskedText(), request.wire());
        QVERIFY(!request.curlCommand(true).contains(QStringLiteral("Signature")));
        // An empty secret is still a secret: the request is signed.
        QVERIFY(build(acme(), call(), QByteArray()).isSigned());
    }

    void maskedTextHoldsNothingSecret()
    {
        const PartnerRequest request = build(acme(), call());
        const QByteArray signature = request.header("X-DCS-Signature");
        QCOMPARE(signature.size(), 7 + 64);
        const QByteArray masked = request.maskedText();
        QVERIFY(masked.contains("\r\nX-DCS-Signature: sha256=<masked>\r\n"));
        QVERIFY(!masked.contains(kSecret));
        const QByteArray hex = signature.sliced(7);
        for (qsizetype i = 0; i + 8 <= hex.size(); ++i)
            QVERIFY2(!masked.contains(hex.sliced(i, 8)), hex.sliced(i, 8).constData());
        // Everything else is what was sent.
        QByteArray unmasked = masked;
        unmasked.replace("sha256=<masked>", signature);
        QCOMPARE(unmasked, request.wire());
    }

    void headerInjectionImpossible()
    {
        PartnerCall input = call();
        input.tid = QStringLiteral("a\r\nX-Evil: 1\r\n\r\n%\u00e9 b");
        Partner partner = acme();
        const QByteArray head = headOf(build(partner, input).wire());
        QVERIFY(head.contains("\r\nX-DCS-Tid: a%0D%0AX-Evil:%201%0D%0A%0D%0A%25%C3%A9%20b\r\n"));
        QCOMPARE(head.count("\r\n"), 11); // request line + 9 headers + blank line
        partner.style = Partner::Style::GetTemplate;
        partner.endpoint = QStringLiteral("http://h/?t=${TID}");
        const QByteArray getHead = headOf(build(partner, input).wire());
        QVERIFY(getHead.startsWith("GET /?t=a%0D%0AX-Evil%3A%201%0D%0A%0D%0A%25%C3%A9%20b "));
        QCOMPARE(getHead.count("\r\n"), 9); // request line + 7 headers + blank line
    }

    void invalidEndpoint()
    {
        Partner partner = acme();
        partner.endpoint = QStringLiteral("ftp://x");
        QString error;
        const PartnerEndpoint endpoint = PartnerEndpoint::forPartner(partner, &error);
        QVERIFY(!endpoint.isValid());
        QVERIFY(!error.isEmpty());
        const PartnerRequest request = PartnerRequest::build(endpoint, partner, call(), kSecret);
        QVERIFY(!request.isValid());
        QVERIFY(request.wire().isEmpty());
        QVERIFY(request.curlCommand().isEmpty());
    }

    void curlCommand()
    {
        const PartnerRequest request = build(acme(), call());
        const QString masked = request.curlCommand();
        QVERIFY2(masked.startsWith(QStringLiteral(
                     "curl --silent --show-error --include --globoff --max-time 0.062 "
                     "--header 'Content-Type: application/json' --header 'X-DCS-Tid: "
                     "31ZpxW5bQGc=' --header 'X-DCS-Timestamp: 1763820000123' --header "
                     "'X-DCS-Tmax: 62' --header 'X-DCS-Signature: sha256=<masked>' --header "
                     "'User-Agent: dcs-studio/")),
                 qPrintable(masked));
        QVERIFY(masked.endsWith(QStringLiteral("' http://127.0.0.1:9101/lookup")));
        const QString signature = QString::fromLatin1(request.header("X-DCS-Signature"));
        QVERIFY(!masked.contains(signature));
        QVERIFY(request.curlCommand(true).contains(signature));

        // What the shell hands to curl is exactly the argument list.
        for (const bool reveal : {false, true}) {
            QStringList expected = request.curlArguments(reveal);
            expected.removeFirst();
            QCOMPARE(shellArguments(request.curlCommand(reveal)), expected);
        }
        QVERIFY(request.curlArguments().contains(QString::fromUtf8(request.body())));
    }

    void curlQuotingSurvivesHostileValues()
    {
        const QString marker = m_dir.filePath(QStringLiteral("pwned"));
        const QString hostile = QStringLiteral("it's $(touch %1) `touch %1` ${HOME} \"q\" \\ "
                                               "'' ; | & > %1 * ? ! #\nline two\ttab")
                                    .arg(marker);
        PartnerCall input = call();
        input.tid = hostile;
        input.uuid = hostile;
        input.signalList = {Signal{QStringLiteral("c_section"), {hostile, QString()}}};
        const PartnerRequest request = build(acme(), input);
        QVERIFY(request.curlCommand().contains(QStringLiteral("'\\''")));
        QStringList expected = request.curlArguments();
        expected.removeFirst();
        QCOMPARE(shellArguments(request.curlCommand()), expected);
        QVERIFY(!QFile::exists(marker));

        Partner partner = acme();
        partner.style = Partner::Style::GetTemplate;
        partner.endpoint = QStringLiteral("http://[::1]:8080/x?u=${UUID}&t=${TID}");
        const PartnerRequest get = build(partner, input);
        expected = get.curlArguments();
        expected.removeFirst();
        QCOMPARE(shellArguments(get.curlCommand()), expected);
        QVERIFY(expected.last().startsWith(QStringLiteral("http://[::1]:8080/x?u=it%27s%20%24")));
        QVERIFY(!QFile::exists(marker));

        // The quoting itself, on what a body can never hold (raw newlines, empty strings).
        const QStringList arguments = {
            QString(),           QStringLiteral("'"),
            QStringLiteral("''a'"), QStringLiteral("\n"),
            QStringLiteral("plain-safe_1.2:/@%+,="), QStringLiteral("caf\u00e9 \U0001F600"),
            hostile};
        QString command = QStringLiteral("curl");
        for (const QString &argument : arguments) {
            command += u' ';
            command += PartnerRequest::shellQuote(argument);
        }
        QCOMPARE(shellArguments(command), arguments);
        QCOMPARE(PartnerRequest::shellQuote(u"plain-safe_1.2:/@%+,="),
                 QStringLiteral("plain-safe_1.2:/@%+,="));
        QCOMPARE(PartnerRequest::shellQuote(u"a b"), QStringLiteral("'a b'"));
        QCOMPARE(PartnerRequest::shellQuote(u""), QStringLiteral("''"));
        QVERIFY(!QFile::exists(marker));
    }

    void curlDetails()
    {
        PartnerCall input = call();
        input.tmaxMs = 0;
        input.signalList = {Signal{QStringLiteral("c_section"), {QString(2000, u'x')}}};
        const QStringList arguments = build(acme(), input).curlArguments();
        // Never --max-time 0 (which curl reads as "no limit").
        QCOMPARE(arguments.at(arguments.indexOf(QStringLiteral("--max-time")) + 1),
                 QStringLiteral("0.001"));
        QVERIFY(arguments.contains(QStringLiteral("Expect:")));
        for (const QString &argument : arguments) {
            QVERIFY(!argument.startsWith(QStringLiteral("Host:")));
            QVERIFY(!argument.startsWith(QStringLiteral("Content-Length:")));
        }
    }

    void buildSpeed()
    {
        const Partner partner = acme();
        const PartnerEndpoint endpoint = PartnerEndpoint::forPartner(partner);
        const PartnerCall input = call();
        QBENCHMARK {
            const PartnerRequest request = PartnerRequest::build(endpoint, partner, input,
                                                                 kSecret);
            QVERIFY(request.wire().size() > 300);
        }
    }
};

QTEST_GUILESS_MAIN(tst_PartnerRequest)
#include "tst_partnerrequest.moc"
