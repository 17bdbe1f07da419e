#include "workspacepage.h"

#include "common/appsettings.h"
#include "models/workspacemodel.h"
#include "storage/definitionversions.h"
#include "storage/storage.h"
#include "storage/workspacefile.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPointer>
#include <QThread>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace Dcs {

namespace {

// Runs `work` on a short-lived thread (it may wait on the writer) and hands its result to `done`
// on `context`'s thread. The thread's read connection is released before it ends.
template <typename Result>
void runInBackground(QObject *context, Storage &storage, std::function<Result()> work,
                     std::function<void(const Result &)> done)
{
    auto result = std::make_shared<Result>();
    QThread *thread = QThread::create([&storage, work, result] {
        *result = work();
        storage.releaseReader();
    });
    QObject::connect(thread, &QThread::finished, context, [result, done] { done(*result); });
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

QToolButton *toolButtonFor(QAction *action)
{
    auto *button = new QToolButton;
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    return button;
}

} // namespace

WorkspacePage::WorkspacePage(Storage &storage, QWidget *parent)
    : QWidget(parent)
    , m_storage(storage)
    , m_model(new WorkspaceModel(this))
{
    m_importAction = new QAction(QIcon::fromTheme(QStringLiteral("document-import")),
                                 tr("&Import Workspace…"), this);
    m_importAction->setShortcut(QKeySequence::Open);
    m_importAction->setToolTip(tr("Add the definitions of a workspace file (all or nothing)"));
    m_exportAction = new QAction(QIcon::fromTheme(QStringLiteral("document-export")),
                                 tr("&Export Workspace…"), this);
    m_exportAction->setShortcut(QKeySequence::SaveAs);
    m_exportAction->setToolTip(tr("Write every definition to a workspace file (no secrets)"));
    m_checkAction = new QAction(tr("&Check Workspace File…"), this);
    m_checkAction->setShortcut(QKeySequence(tr("Ctrl+Shift+K")));
    m_checkAction->setToolTip(tr("Validate a workspace file against this workspace without "
                                 "changing anything"));
    m_reloadAction = new QAction(QIcon::fromTheme(QStringLiteral("view-refresh")), tr("&Reload"),
                                 this);
    m_reloadAction->setShortcut(QKeySequence::Refresh);

    connect(m_importAction, &QAction::triggered, this, [this] {
        const QString path = askForFile(false, tr("Import Workspace"));
        if (!path.isEmpty())
            importFile(path);
    });
    connect(m_exportAction, &QAction::triggered, this, [this] {
        const QString path = askForFile(true, tr("Export Workspace"));
        if (!path.isEmpty())
            exportFile(path);
    });
    connect(m_checkAction, &QAction::triggered, this, [this] {
        const QString path = askForFile(false, tr("Check Workspace File"));
        if (!path.isEmpty())
            checkFile(path);
    });
    connect(m_reloadAction, &QAction::triggered, this, &WorkspacePage::reload);

    m_summary = new QLabel;
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(toolButtonFor(m_importAction));
    buttons->addWidget(toolButtonFor(m_exportAction));
    buttons->addWidget(toolButtonFor(m_checkAction));
    buttons->addStretch();
    buttons->addWidget(toolButtonFor(m_reloadAction));

    m_tree = new QTreeView;
    m_tree->setModel(m_model);
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setAccessibleName(tr("Workspace definitions"));
    m_tree->header()->setStretchLastSection(true);

    m_problemsTitle = new QLabel(tr("Problems"));
    m_problems = new QListWidget;
    m_problems->setAccessibleName(tr("Workspace file problems"));
    m_problems->setMaximumHeight(160);
    m_problemsTitle->setVisible(false);
    m_problems->setVisible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addLayout(buttons);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_problemsTitle);
    layout->addWidget(m_problems);

    reload();
}

void WorkspacePage::reload()
{
    m_model->reload(m_storage);
    m_tree->expandToDepth(1);
    for (int column = 0; column < WorkspaceModel::DetailsColumn; ++column)
        m_tree->resizeColumnToContents(column);
    m_summary->setText(
        tr("<b>Database</b> %1 (schema version %2) · <b>Secrets</b> %3<br>"
           "%4 partners · %5 folders · %6 traits · %7 segments")
            .arg(m_storage.path().toHtmlEscaped())
            .arg(m_storage.schemaVersion())
            .arg(m_storage.secrets().description().toHtmlEscaped())
            .arg(m_model->partnerCount())
            .arg(m_model->folderCount())
            .arg(m_model->traitCount())
            .arg(m_model->segmentCount()));
}

QString WorkspacePage::askForFile(bool save, const QString &title)
{
    AppSettings settings;
    const QString filter = tr("Workspace files (*.json);;All files (*)");
    const QString path = save ? QFileDialog::getSaveFileName(this, title,
                                                             settings.lastWorkspaceFolder(), filter)
                              : QFileDialog::getOpenFileName(this, title,
                                                             settings.lastWorkspaceFolder(), filter);
    if (!path.isEmpty())
        settings.setLastWorkspaceFolder(QFileInfo(path).absolutePath());
    return path;
}

void WorkspacePage::setBusy(bool busy)
{
    for (QAction *action : {m_importAction, m_exportAction, m_checkAction, m_reloadAction})
        action->setEnabled(!busy);
}

void WorkspacePage::importFile(const QString &path)
{
    setBusy(true);
    Q_EMIT statusMessage(tr("Importing %1…").arg(QFileInfo(path).fileName()));
    const QString author = tr("import (%1)").arg(DefinitionVersions::currentAuthor());
    runInBackground<WorkspaceReport>(
        this, m_storage,
        [this, path, author] { return WorkspaceFile::importFile(m_storage, path, author); },
        [this, path](const WorkspaceReport &report) {
            showReport(path, report, true);
            reload();
        });
}

void WorkspacePage::checkFile(const QString &path)
{
    setBusy(true);
    runInBackground<WorkspaceReport>(
        this, m_storage, [this, path] { return WorkspaceFile::checkFile(m_storage, path); },
        [this, path](const WorkspaceReport &report) { showReport(path, report, false); });
}

void WorkspacePage::exportFile(const QString &path)
{
    setBusy(true);
    using Outcome = std::pair<bool, QString>;
    runInBackground<Outcome>(
        this, m_storage,
        [this, path] {
            QString error;
            const bool ok = WorkspaceFile::exportFile(m_storage, path, &error);
            return Outcome{ok, error};
        },
        [this, path](const Outcome &outcome) {
            setBusy(false);
            Q_EMIT statusMessage(outcome.first ? tr("Workspace exported to %1").arg(path)
                                               : tr("Export failed: %1").arg(outcome.second));
            Q_EMIT operationFinished();
        });
}

void WorkspacePage::showReport(const QString &path, const WorkspaceReport &report, bool imported)
{
    setBusy(false);
    m_problems->clear();
    for (const JsonIssue &issue : report.errors)
        m_problems->addItem(issue.toString());
    m_problemsTitle->setText(tr("Problems in %1").arg(QFileInfo(path).fileName()));
    m_problemsTitle->setVisible(!report.ok);
    m_problems->setVisible(!report.ok);

    const QString name = QFileInfo(path).fileName();
    if (!report.ok)
        Q_EMIT statusMessage(imported ? tr("%1 not imported, nothing changed: %2")
                                            .arg(name, report.summary())
                                      : tr("%1 is not valid: %2").arg(name, report.summary()));
    else
        Q_EMIT statusMessage(imported ? tr("%1 imported: %2").arg(name, report.summary())
                                      : tr("%1 is valid: %2").arg(name, report.summary()));
    Q_EMIT operationFinished();
}

} // namespace Dcs
