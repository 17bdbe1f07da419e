#pragma once

#include "profiles/batchimporter.h"

#include <QDialog>
#include <QThreadPool>

#include <atomic>
#include <memory>

class QDialogButtonBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace Dcs {

class DcsServer;

// File ▸ Import Batch File: applies an inbound batch file (dcs-api.md) off the GUI thread with
// the running server's rules and sweeper, shows how much of the file is read, lets the user
// cancel (the lines read are applied; an .overwrite file then replaces nothing), and ends with
// the same summary the command line prints: lines and items applied or skipped, by reason.
class BatchImportDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit BatchImportDialog(DcsServer &server, QWidget *parent = nullptr);
    ~BatchImportDialog() override;

    void start(const QString &path);
    bool isRunning() const { return m_running; }
    const BatchImportReport &lastReport() const { return m_report; }

    QProgressBar *progressBar() const { return m_progress; }
    QPlainTextEdit *reportView() const { return m_reportView; }
    QPushButton *cancelButton() const { return m_cancel; }

Q_SIGNALS:
    void finished(const Dcs::BatchImportReport &report);
    void statusMessage(const QString &message);

protected:
    void reject() override; // while running: cancels instead of closing

private:
    void showReport(const BatchImportReport &report);

    DcsServer &m_server;
    QThreadPool m_pool;
    bool m_running = false;
    std::shared_ptr<std::atomic<bool>> m_cancelFlag;
    BatchImportReport m_report;
    QLabel *m_file = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_state = nullptr;
    QPlainTextEdit *m_reportView = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_cancel = nullptr;
};

} // namespace Dcs

Q_DECLARE_METATYPE(Dcs::BatchImportReport)
