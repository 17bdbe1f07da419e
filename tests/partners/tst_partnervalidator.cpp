#include "partners/partnervalidator.h"
#include "storage/definitionjson.h"

#include <QJsonArray>
#include <QTest>

#include <functional>

using namespace Dcs;

namespace {

using Edit = std::function<void(Partner &)>;

Partner acme()
{
    Partner partner;
    partner.id = 1;
    partner.name = QStringLiteral("Acme Data");
    partner.dpid = 1955;
    partner.integrationCode = QStringLiteral("acme");
    partner.endpoint = QStringLiteral("http://127.0.0.1:9101/lookup");
    partner.forwardedKeys = {QStringLiteral("c_section"), QStringLiteral("h_referer")};
    partner.mode = Partner::Mode::Live;
    return partner;
}

// What acme() must not clash with: its own stored version (same id: skipped) and Brio.
QList<Partner> others()
{
    Partner brio;
    brio.id = 2;
    brio.name = QStringLiteral("Brio");
    brio.dpid = 2210;
    brio.integrationCode = QStringLiteral("brio");
    brio.endpoint = QStringLiteral("http://127.0.0.1:9102/");
    return {acme(), brio};
}

} // namespace

Q_DECLARE_METATYPE(Edit)

class tst_PartnerValidator : public QObject
{
    Q_OBJECT

private:
    static void row(const char *name, Edit edit, const char *field = "",
                    const char *message = "", bool inJson = true)
    {
        QTest::newRow(name) << edit << QString::fromUtf8(field) << QString::fromUtf8(message)
                            << inJson;
    }

private Q_SLOTS:
    void validate_data()
    {
        QTest::addColumn<Edit>("edit");
        QTest::addColumn<QString>("field");   // the one field with an issue; empty: none
        QTest::addColumn<QString>("message"); // a part of its message
        QTest::addColumn<bool>("inJson");     // the same issue through partnerFromJson

        const auto endpoint = [](const char *url, Partner::Style style =
                                                      Partner::Style::JsonPost) {
            return [=](Partner &p) {
                p.endpoint = QString::fromUtf8(url);
                p.style = style;
            };
        };
        const auto getTemplate = Partner::Style::GetTemplate;

        row("valid, and its own stored version is no clash", [](Partner &) {});
        row("valid get-template with every macro",
            endpoint("https://partner.example/seg/${DPID}?u=${UUID}&d=${DPUUID}&t=${TID}"
                     "&m=${TMAX}&ts=${TS}",
                     getTemplate));
        row("valid defaults of a new partner", [](Partner &p) {
            const Partner fresh;
            p.timeoutMs = fresh.timeoutMs;
            p.minBudgetMs = fresh.minBudgetMs;
            p.maxInFlight = fresh.maxInFlight;
            p.maxRate = fresh.maxRate;
        });

        // name, description, contact
        row("name empty", [](Partner &p) { p.name.clear(); }, "name", "is required");
        row("name only spaces", [](Partner &p) { p.name = QStringLiteral("  "); }, "name",
            "is required");
        row("name 255", [](Partner &p) { p.name = QString(255, u'n'); });
        row("name 256", [](Partner &p) { p.name = QString(256, u'n'); }, "name",
            "is 256 characters long; the most is 255");
        row("name taken", [](Partner &p) { p.name = QStringLiteral("Brio"); }, "name",
            "already the name of the partner with DPID 2210", false);
        row("contact 256", [](Partner &p) { p.contact = QString(256, u'c'); }, "contact",
            "the most is 255");
        row("description 4097", [](Partner &p) { p.description = QString(4097, u'd'); },
            "description", "the most is 4096");

        // dpid
        row("dpid 0", [](Partner &p) { p.dpid = 0; }, "dpid", "must be from 1 to 2147483647");
        row("dpid negative", [](Partner &p) { p.dpid = -5; }, "dpid", "not -5");
        row("dpid 2147483647", [](Partner &p) { p.dpid = 2147483647; });
        row("dpid 2147483648", [](Partner &p) { p.dpid = 2147483648LL; }, "dpid",
            "from 1 to 2147483647");
        row("dpid taken", [](Partner &p) { p.dpid = 2210; }, "dpid",
            "DPID 2210 is already used by partner \"Brio\"", false);
        row("new partner, dpid of a stored one", [](Partner &p) {
            p.id = 0;
            p.name = QStringLiteral("Acme Two");
            p.integrationCode.clear();
        }, "dpid", "already used by partner \"Acme Data\"", false);

        // integration code
        row("integration code empty", [](Partner &p) { p.integrationCode.clear(); });
        row("integration code all characters",
            [](Partner &p) { p.integrationCode = QStringLiteral("Az09_.-"); });
        row("integration code 64", [](Partner &p) { p.integrationCode = QString(64, u'i'); });
        row("integration code 65", [](Partner &p) { p.integrationCode = QString(65, u'i'); },
            "integration_code", "1-64 letters, digits");
        row("integration code space",
            [](Partner &p) { p.integrationCode = QStringLiteral("a b"); },
            "integration_code", "\"a b\" is not valid");
        row("integration code colon",
            [](Partner &p) { p.integrationCode = QStringLiteral("a:b"); },
            "integration_code", "is not valid");
        row("integration code taken",
            [](Partner &p) { p.integrationCode = QStringLiteral("brio"); },
            "integration_code", "\"brio\" is already used by partner \"Brio\"", false);

        // endpoint
        row("endpoint empty", endpoint(""), "endpoint", "is required");
        row("endpoint ftp", endpoint("ftp://example.com/x"), "endpoint",
            "must start with http:// or https://");
        row("endpoint without scheme", endpoint("example.com/x"), "endpoint",
            "must start with http:// or https://");
        row("endpoint HTTPS upper case", endpoint("HTTPS://Example.COM/x?a=1&b=%2F"));
        row("endpoint without path", endpoint("http://example.com"));
        row("endpoint IPv6", endpoint("http://[::1]:8080/lookup"));
        row("endpoint without host", endpoint("http:///lookup"), "endpoint", "needs a host");
        row("endpoint bad host", endpoint("http://exa mple.com/"), "endpoint",
            "is not a valid host");
        row("endpoint port 0", endpoint("http://example.com:0/"), "endpoint",
            "port from 1 to 65535");
        row("endpoint port 70000", endpoint("http://example.com:70000/"), "endpoint",
            "is not a valid host");
        row("endpoint user info", endpoint("https://user:pw@example.com/"), "endpoint",
            "must not hold a user name or password");
        row("endpoint fragment", endpoint("https://example.com/a#b"), "endpoint", "fragment");
        row("endpoint space in the path", endpoint("https://example.com/a b"), "endpoint",
            "has U+0020 at position 22: write it percent-encoded (%20)");
        row("endpoint non-ASCII path", endpoint("https://example.com/caf\xc3\xa9"), "endpoint",
            "write it percent-encoded (%C3%A9)");
        row("endpoint bad percent", endpoint("https://example.com/a%zz"), "endpoint",
            "not followed by two hex digits");
        row("endpoint too long", [](Partner &p) {
            p.endpoint = QStringLiteral("http://example.com/") + QString(2030, u'a');
        }, "endpoint", "longer than 2048");
        row("json-post with a macro", endpoint("https://example.com/?u=${UUID}"), "endpoint",
            "json-post");
        row("unknown macro", endpoint("https://example.com/?u=${USER}", getTemplate),
            "endpoint",
            "unknown macro ${USER}: the macros are ${UUID} ${DPUUID} ${DPID} ${TID} ${TMAX} "
            "${TS}");
        row("lower-case macro", endpoint("https://example.com/?u=${uuid}", getTemplate),
            "endpoint", "unknown macro ${uuid}");
        row("unclosed macro", endpoint("https://example.com/?u=${UUID", getTemplate),
            "endpoint", "without its closing }");
        row("macro in the host", endpoint("https://${DPID}.example.com/", getTemplate),
            "endpoint", "in the path or the query only");
        row("dollar without brace", endpoint("https://example.com/$5", getTemplate));

        // style, timings, limits
        row("style out of range", [](Partner &p) { p.style = Partner::Style(9); }, "style",
            "json-post", false);
        row("timeout 0", [](Partner &p) { p.timeoutMs = 0; }, "timeout_ms",
            "must be from 1 to 60000 ms, not 0");
        row("timeout 60000", [](Partner &p) { p.timeoutMs = 60000; });
        row("timeout 60001", [](Partner &p) { p.timeoutMs = 60001; }, "timeout_ms", "60000 ms");
        row("min budget 0", [](Partner &p) { p.minBudgetMs = 0; });
        row("min budget -1", [](Partner &p) { p.minBudgetMs = -1; }, "min_budget_ms",
            "must be 0 ms or more");
        row("min budget = timeout", [](Partner &p) { p.minBudgetMs = p.timeoutMs; });
        row("min budget > timeout", [](Partner &p) { p.minBudgetMs = 81; }, "min_budget_ms",
            "is larger than timeout_ms (81 > 80 ms): the partner would never be called");
        row("max in flight 0", [](Partner &p) { p.maxInFlight = 0; }, "max_in_flight",
            "must be from 1 to 10000 calls");
        row("max in flight 10001", [](Partner &p) { p.maxInFlight = 10001; }, "max_in_flight",
            "not 10001");
        row("max rate 0 (unlimited)", [](Partner &p) { p.maxRate = 0; });
        row("max rate -1", [](Partner &p) { p.maxRate = -1; }, "max_rate", "0 (unlimited)");

        // forwarded keys
        row("forwarded p_ key", [](Partner &p) { p.forwardedKeys << QStringLiteral("p_email"); },
            "forwarded_keys[2]", "\"p_email\": p_ keys are private");
        row("forwarded bad key", [](Partner &p) { p.forwardedKeys << QStringLiteral("a b"); },
            "forwarded_keys[2]", "\"a b\" is not a signal key");
        row("forwarded digits only", [](Partner &p) { p.forwardedKeys << QStringLiteral("123"); },
            "forwarded_keys[2]", "is not a signal key");
        row("forwarded twice", [](Partner &p) { p.forwardedKeys << QStringLiteral("c_section"); },
            "forwarded_keys[2]", "is listed twice");
        row("forwarded none", [](Partner &p) { p.forwardedKeys.clear(); });

        // mode
        row("mode out of range", [](Partner &p) { p.mode = Partner::Mode(7); }, "mode",
            "\"disabled\", \"shadow\" or \"live\"", false);
    }

    void validate()
    {
        QFETCH(Edit, edit);
        QFETCH(QString, field);
        QFETCH(QString, message);
        Partner partner = acme();
        edit(partner);

        const QList<PartnerFieldIssue> issues = PartnerValidator::validate(partner, others());
        if (field.isEmpty()) {
            QVERIFY2(issues.isEmpty(), qPrintable(issues.value(0).field + QStringLiteral(": ")
                                                  + issues.value(0).message));
            return;
        }
        QCOMPARE(issues.size(), 1);
        QCOMPARE(issues.first().field, field);
        QVERIFY2(issues.first().message.contains(message), qPrintable(issues.first().message));
    }

    // One set of rules: the workspace import reports what the validator reports, at the
    // field's JSON path.
    void jsonImportAgrees_data() { validate_data(); }
    void jsonImportAgrees()
    {
        QFETCH(Edit, edit);
        QFETCH(QString, field);
        QFETCH(QString, message);
        QFETCH(bool, inJson);
        if (!inJson)
            QSKIP("depends on other partners or on a value JSON cannot hold");
        Partner partner = acme();
        partner.id = 0;
        edit(partner);

        QList<JsonIssue> issues;
        QString secret;
        const Partner read = DefinitionJson::partnerFromJson(DefinitionJson::toJson(partner),
                                                             QStringLiteral("$.p"), &issues,
                                                             &secret);
        if (field.isEmpty()) {
            QVERIFY2(issues.isEmpty(), qPrintable(issues.value(0).toString()));
            QCOMPARE(read, partner);
            return;
        }
        QCOMPARE(issues.size(), 1);
        QCOMPARE(issues.first().path, QString(QStringLiteral("$.p.") + field));
        // The reader's own "must not be empty" stands for a blank required string.
        if (issues.first().message != QLatin1String("must not be empty"))
            QVERIFY2(issues.first().message.contains(message),
                     qPrintable(issues.first().message));
    }

    void jsonTypeErrorsComeFirst()
    {
        QJsonObject object = DefinitionJson::toJson(acme());
        object.insert(QStringLiteral("timeout_ms"), 1.5);
        object.insert(QStringLiteral("dpid"), QStringLiteral("1955"));
        object.insert(QStringLiteral("max_in_flight"), 1e300);
        object.insert(QStringLiteral("forwarded_keys"),
                      QJsonArray{QStringLiteral("a"), 5, QStringLiteral("p_x")});
        QList<JsonIssue> issues;
        QString secret;
        DefinitionJson::partnerFromJson(object, QStringLiteral("$.p"), &issues, &secret);
        QStringList texts;
        for (const JsonIssue &issue : issues)
            texts << issue.toString();
        // One message per field: no range complaint about a value that was never read, and
        // a huge number saturates instead of wrapping into range.
        QCOMPARE(texts, (QStringList{QStringLiteral("$.p.dpid: must be an integer"),
                                     QStringLiteral("$.p.timeout_ms: must be an integer"),
                                     QStringLiteral("$.p.forwarded_keys[1]: must be a string"),
                                     QStringLiteral("$.p.max_in_flight: must be from 1 to 10000 "
                                                    "calls, not 2147483647")}));
    }

    void jsonDependentRulesWaitForTheirField()
    {
        QJsonObject object = DefinitionJson::toJson(acme());
        object.insert(QStringLiteral("style"), QStringLiteral("get_template"));
        object.insert(QStringLiteral("endpoint"), QStringLiteral("http://h/?u=${UUID}"));
        object.insert(QStringLiteral("timeout_ms"), QStringLiteral("50"));
        object.insert(QStringLiteral("min_budget_ms"), 90);
        QList<JsonIssue> issues;
        QString secret;
        DefinitionJson::partnerFromJson(object, QStringLiteral("$.p"), &issues, &secret);
        QStringList paths;
        for (const JsonIssue &issue : issues)
            paths << issue.path;
        QCOMPARE(paths, (QStringList{QStringLiteral("$.p.style"),
                                     QStringLiteral("$.p.timeout_ms")}));
    }

    // The editor calls this on every keystroke.
    void validateIsCheap()
    {
        Partner partner = acme();
        partner.style = Partner::Style::GetTemplate;
        partner.endpoint = QStringLiteral("https://partner.example/seg?u=${UUID}&t=${TID}");
        QList<Partner> many = others();
        for (int i = 0; i < 200; ++i) {
            Partner other = many.last();
            other.id = 10 + i;
            other.dpid = 10000 + i;
            other.name = QStringLiteral("Partner %1").arg(i);
            other.integrationCode = QStringLiteral("p%1").arg(i);
            many << other;
        }
        QBENCHMARK {
            QVERIFY(PartnerValidator::validate(partner, many).isEmpty());
        }
    }
};

QTEST_GUILESS_MAIN(tst_PartnerValidator)
#include "tst_partnervalidator.moc"
