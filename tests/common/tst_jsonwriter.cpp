#include "common/jsonwriter.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using namespace Dcs;

// JsonWriter output must be JSON that QJsonDocument reads back to exactly what was written.
class tst_JsonWriter : public QObject
{
    Q_OBJECT

private:
    static QJsonValue roundTrip(const QString &text)
    {
        QByteArray out;
        JsonWriter(out).beginArray().value(text).endArray();
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(out, &error);
        if (error.error != QJsonParseError::NoError)
            qWarning("not JSON: %s (%s)", out.constData(), qPrintable(error.errorString()));
        return document.array().isEmpty() ? QJsonValue() : document.array().first();
    }

private Q_SLOTS:
    void stringsRoundTrip_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("plain") << QStringLiteral("sports");
        QTest::newRow("quote") << QStringLiteral("say \"hi\"");
        QTest::newRow("backslash") << QStringLiteral("C:\\path\\");
        QTest::newRow("newline, tab, cr") << QStringLiteral("a\nb\tc\rd");
        QTest::newRow("backspace, form feed") << QStringLiteral("\b\f");
        QTest::newRow("nul and control") << QString(QChar(0)) + QChar(0x1f) + QChar(0x01);
        QTest::newRow("del") << QString(QChar(0x7f));
        QTest::newRow("latin-1") << QStringLiteral("caf\u00e9 \u00fcber");
        QTest::newRow("cjk") << QStringLiteral("\u6771\u4eac");
        QTest::newRow("emoji (surrogate pair)") << QString::fromUtf8("\xf0\x9f\x98\x80 ok");
        QTest::newRow("slash") << QStringLiteral("a/b</script>");
        QTest::newRow("json inside") << QStringLiteral("{\"a\":[1,2]}");
    }

    void stringsRoundTrip()
    {
        QFETCH(QString, text);
        QCOMPARE(roundTrip(text), QJsonValue(text));
    }

    void latin1KeysAndValuesAreUtf8()
    {
        QByteArray out;
        JsonWriter(out).beginObject().key(QLatin1StringView("caf\xe9")).value(
            QLatin1StringView("\"x\"\n")).endObject();
        const QJsonObject object = QJsonDocument::fromJson(out).object();
        QCOMPARE(object.value(QStringLiteral("caf\u00e9")).toString(), QStringLiteral("\"x\"\n"));
    }

    void structureAndSeparators()
    {
        QByteArray out;
        JsonWriter json(out);
        json.beginObject();
        json.key(QStringLiteral("a")).value(qint64(1));
        json.key(QStringLiteral("b")).beginArray().value(true).value(false).value(qint64(-9))
            .endArray();
        json.key(QStringLiteral("c")).beginArray().endArray();
        json.key(QStringLiteral("d")).value(QJsonArray{1, QStringLiteral("x")});
        json.key(QStringLiteral("e")).value(QJsonArray());
        json.key(QStringLiteral("f")).beginObject().endObject();
        json.endObject();
        QCOMPARE(out, QByteArray("{\"a\":1,\"b\":[true,false,-9],\"c\":[],\"d\":[1,\"x\"],"
                                 "\"e\":[],\"f\":{}}"));
    }

    void largeIntegersAreExact()
    {
        QByteArray out;
        JsonWriter(out).beginArray().value(std::numeric_limits<qint64>::max()).endArray();
        QCOMPARE(out, QByteArray("[9223372036854775807]"));
    }

    void randomStringsRoundTrip()
    {
        // Any UTF-16 text, control characters and lone surrogates included: the output is
        // always valid JSON, and reads back as QString::toUtf8() would have encoded it.
        QRandomGenerator random(20261122);
        for (int round = 0; round < 5000; ++round) {
            QString text;
            const int length = int(random.bounded(40));
            for (int i = 0; i < length; ++i) {
                switch (random.bounded(4)) {
                case 0: text += QChar(char16_t(random.bounded(0x20))); break;
                case 1: text += QChar(char16_t(0x20 + random.bounded(0x60))); break;
                case 2: text += QChar(char16_t(0x80 + random.bounded(0xff80))); break;
                default: text += QLatin1StringView("\"\\"); break;
                }
            }
            const QString expected = QString::fromUtf8(text.toUtf8());
            QCOMPARE(roundTrip(text), QJsonValue(expected));
        }
    }
};

QTEST_GUILESS_MAIN(tst_JsonWriter)
#include "tst_jsonwriter.moc"
