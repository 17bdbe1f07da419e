#include "workspace/batchimportdialog.h"

#include "dcs/dcsserver.h"
#include "rules/rulesnapshot.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QLabel>
#include <QMetaObject>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace Dcs {

BatchImportDialog::BatchImportDialog(DcsServer &server, QWidget *parent)
    : QDialog(parent)
    , m_server(server)
{
    qRegisterMetaType<BatchImportReport>();
    setObjectName(QStringLiteral("batchImportDialog"));
    setWindowTitle(tr("Import Batch File"));
    m_pool.setMaxThreadCount(1);

    m_file = new QLabel;
    m_file->setWordWrap(true);
    m_file->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("batchImportProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setAccessibleName(tr("Batch import progress"));
    m_state = new QLabel;
    m_reportView = new QPlainTextEdit;
    m_reportView->setObjectName(QStringLiteral("batchImportReport"));
    m_reportView->setReadOnly(true);
    m_reportView->setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono = m_reportView->font();
    mono.setStyleHint(QFont::Monospace);
    mono.setFamily(QStringLiteral("monospace"));
    m_reportView->setFont(mono);
    m_buttons = new QDialogButtonBox;
    m_cancel = m_buttons->addButton(QDialogButtonBox::Close);
    connect(m_cancel, &QPushButton::clicked, this, &BatchImportDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_file);
    layout->addWidget(m_progress);
    layout->addWidget(m_state);
    layout->addWidget(m_reportView, 1);
    layout->addWidget(m_buttons);
    resize(640, 420);
}

BatchImportDialog::~BatchImportDialog()
{
    if (m_cancelFlag)
        m_cancelFlag->store(true);
    m_pool.waitForDone();
}

void BatchImportDialog::start(const QString &path)
{
    if (m_running)
        return;
    m_running = true;
    m_cancelFlag = std::make_shared<std::atomic<bool>>(false);
    m_file->setText(tr("File: %1").arg(QFileInfo(path).absoluteFilePath()));
    m_progress->setValue(0);
    m_state->setText(tr("Reading and applying…"));
    m_reportView->clear();
    m_cancel->setText(tr("&Cancel"));

    BatchImportOptions options;
    options.sweeper = m_server.membershipSweeper();
    options.cancel = m_cancelFlag.get();
    options.progress = [this](double fraction) {
        QMetaObject::invokeMethod(
            this, [this, fraction] { m_progress->setValue(int(fraction * 1000)); },
            Qt::QueuedConnection);
    };
    const std::shared_ptr<const RulesSnapshot> rules = m_server.rulesEngine()->snapshot();
    Storage *storage = m_server.storage();
    Q_EMIT statusMessage(tr("Importing %1…").arg(QFileInfo(path).fileName()));
    m_pool.start([this, storage, rules, options, path, flag = m_cancelFlag] {
        BatchImporter importer(*storage, rules, options);
        const BatchImportReport report = importer.importFile(path);
        QMetaObject::invokeMethod(
            this, [this, report] { showReport(report); }, Qt::QueuedConnection);
    });
}

void BatchImportDialog::showReport(const BatchImportReport &report)
{
    m_running = false;
    m_report = report;
    m_cancel->setText(tr("&Close"));
    QString state;
    if (report.cancelled)
        state = tr("Cancelled: the lines read before were applied");
    else if (report.succeeded())
        state = tr("Done");
    else
        state = tr("Failed");
    m_state->setText(state);
    if (report.succeeded())
        m_progress->setValue(m_progress->maximum());
    QString text = report.opened ? report.toText() : QString();
    if (!report.error.isEmpty())
        text += (text.isEmpty() ? QString() : QStringLiteral("\n")) + report.error;
    m_reportView->setPlainText(text);
    Q_EMIT statusMessage(tr("%1: %2 of %3 lines applied")
                             .arg(QFileInfo(report.path).fileName())
                             .arg(report.linesApplied)
                             .arg(report.linesRead));
    Q_EMIT finished(report);
}

void BatchImportDialog::reject()
{
    if (m_running) {
        m_cancelFlag->store(true);
        m_state->setText(tr("Cancelling after the current line…"));
        return;
    }
    QDialog::reject();
}

} // namespace Dcs
