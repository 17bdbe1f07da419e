// File ▸ Import Batch File and File ▸ Replay Event Log, driven through the main window against a
// real DCS: events made by /event calls over loopback, a real batch file, a real SQLite file.
#include "dcs/dcsserver.h"
#include "mainwindow.h"
#include "storage/storage.h"
#include "storage/traitrepository.h"
#include "storage/workspacefile.h"
#include "workspace/batchimportdialog.h"
#include "workspace/replaydialog.h"

#include <QFile>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Dcs;
using namespace Qt::StringLiterals;

namespace {

constexpr int kWaitMs = 15000;

QString visitor(int n)
{
    return u"1"_s + QString::number(n).rightJustified(37, u'0');
}

bool get(quint16 port, const QByteArray &pathAndQuery)
{
    static QNetworkAccessManager *const manager = [] {
        auto *made = new QNetworkAccessManager(qApp);
        made->setProxy(QNetworkProxy::NoProxy);
        return made;
    }();
    QUrl url(u"http://127.0.0.1"_s + QString::fromLatin1(pathAndQuery));
    url.setPort(port);
    std::unique_ptr<QNetworkReply> reply(manager->get(QNetworkRequest(url)));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    return finished.wait(kWaitMs)
           && reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
}

} // namespace

class tst_WorkspaceDialogs : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<DcsServer> m_server;

    QStringList rows(const QString &sql) const
    {
        QSqlQuery query(m_server->storage()->reader());
        QStringList out;
        if (!query.exec(sql))
            return {u"error"_s};
        while (query.next())
            out.append(query.value(0).toString());
        return out;
    }

private Q_SLOTS:
    void init()
    {
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(u"config"_s).toLocal8Bit());
        m_server = std::make_unique<DcsServer>(nullptr, 1);
        QString error;
        QVERIFY2(m_server->openStorage(m_dir.filePath(u"w.sqlite"_s), &error), qPrintable(error));
        QFile workspace(QStringLiteral(DCS_TEST_DATA_DIR "/workspace-rules.json"));
        QVERIFY(workspace.open(QIODevice::ReadOnly));
        QVERIFY(WorkspaceFile::import(*m_server->storage(), workspace.readAll(), u"test"_s).ok);
        m_server->reloadRules();
        QVERIFY2(m_server->startListener(QHostAddress::LocalHost, 0, &error), qPrintable(error));
        const quint16 port = m_server->listener().port();
        for (int n : {1, 2, 3})
            QVERIFY(get(port, "/event?d_rtbd=json&c_section=news&d_uuid=" + visitor(n).toLatin1()));
        QVERIFY(get(port, "/event?d_rtbd=json&c_section=sports&d_uuid=" + visitor(4).toLatin1()));
        QTRY_COMPARE(rows(u"SELECT count(*) FROM events"_s), QStringList{u"4"_s});
    }

    void cleanup()
    {
        m_server.reset();
        QFile::remove(m_dir.filePath(u"w.sqlite"_s));
    }

    void fileMenuHasTheEventDataActions()
    {
        MainWindow window(*m_server);
        auto *fileMenu = window.menuBar()->findChild<QMenu *>(u"fileMenu"_s);
        QVERIFY(fileMenu);
        QVERIFY(fileMenu->actions().contains(window.importBatchAction()));
        QVERIFY(fileMenu->actions().contains(window.replayAction()));
        QVERIFY(!window.importBatchAction()->shortcut().isEmpty());
        QVERIFY(!window.replayAction()->shortcut().isEmpty());
    }

    void replayBackfillsTheChosenTrait()
    {
        Trait news;
        news.sid = 1003;
        news.name = u"News readers"_s;
        news.folderId = 1;
        news.rule = u"c_section == \"news\""_s;
        const WriteResult written = m_server->storage()->writer().runAndWait(
            [news](WriteContext &context, QString *error) mutable {
                return TraitRepository::write(context, news, u"test"_s, error);
            });
        QVERIFY(written.ok);
        m_server->reloadRules();

        MainWindow window(*m_server);
        ReplayDialog *dialog = window.openReplay({1003});
        QVERIFY(dialog->isVisible());
        QCOMPARE(dialog->selectedTraits(), QList<qint64>{1003});
        // Every trait is listed; the onboarded one greyed with why it cannot be replayed.
        QListWidget *list = dialog->traitList();
        QCOMPARE(list->count(), 4);
        const QList<QListWidgetItem *> onboarded = list->findItems(u"(2001T)"_s, Qt::MatchContains);
        QCOMPARE(onboarded.size(), 1);
        QVERIFY(!onboarded.first()->flags().testFlag(Qt::ItemIsEnabled));
        QVERIFY(onboarded.first()->text().contains(u"onboarded"_s));

        QSignalSpy finished(dialog, &ReplayDialog::finished);
        QTest::mouseClick(dialog->replayButton(), Qt::LeftButton);
        QVERIFY(finished.wait(kWaitMs));
        const ReplayResult result = dialog->lastResult();
        QCOMPARE(result.status, ReplayResult::Status::Done);
        QCOMPARE(result.realizationsWritten, 3);
        QCOMPARE(dialog->progressBar()->value(), dialog->progressBar()->maximum());
        QCOMPARE(dialog->resultView()->toPlainText(), result.summary());
        QCOMPARE(rows(u"SELECT uuid FROM trait_realizations WHERE trait_sid = 1003 AND "
                      "source = 'replay' ORDER BY uuid"_s),
                 (QStringList{visitor(1), visitor(2), visitor(3)}));
        QVERIFY(dialog->replayButton()->isEnabled());
    }

    void batchImportShowsProgressAndTheSummary()
    {
        const QString path = m_dir.filePath(u"ftp_dpm_1955_1700000000.sync"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(visitor(4).toLatin1() + "\td_sid=2001,auto\n"
                   + "unknown-user\tauto\n");
        file.close();

        MainWindow window(*m_server);
        BatchImportDialog *dialog = window.openBatchImport(path);
        QSignalSpy finished(dialog, &BatchImportDialog::finished);
        QVERIFY(finished.wait(kWaitMs));
        const BatchImportReport report = dialog->lastReport();
        QVERIFY2(report.succeeded(), qPrintable(report.toText()));
        QCOMPARE(report.linesRead, 2);
        QCOMPARE(report.linesApplied, 1);
        QCOMPARE(dialog->reportView()->toPlainText(), report.toText());
        QVERIFY(dialog->reportView()->toPlainText().contains(u"lines: 2 read, 1 applied"_s));
        QCOMPARE(dialog->progressBar()->value(), dialog->progressBar()->maximum());
        QCOMPARE(dialog->cancelButton()->text(), u"&Close"_s);
        // Visitor 4 read sports (1001) and now holds 2001 from the file: segment 5001.
        QTRY_COMPARE(rows(u"SELECT segment_sid FROM memberships WHERE uuid = '"_s + visitor(4)
                          + u"'"_s),
                     QStringList{u"5001"_s});
    }
};

QTEST_MAIN(tst_WorkspaceDialogs)
#include "tst_workspacedialogs.moc"
