#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QListWidget;
class QTreeView;

namespace Dcs {

class Storage;
class WorkspaceModel;
struct WorkspaceReport;

// The workspace at a glance: where it is stored, every partner, folder, trait and segment, and the
// file operations on it (import, export, check) with their problems listed by JSON path.
class WorkspacePage final : public QWidget
{
    Q_OBJECT
public:
    explicit WorkspacePage(Storage &storage, QWidget *parent = nullptr);

    QAction *importAction() const { return m_importAction; }
    QAction *exportAction() const { return m_exportAction; }
    QAction *checkAction() const { return m_checkAction; }
    QAction *reloadAction() const { return m_reloadAction; }
    WorkspaceModel *model() const { return m_model; }

    void reload();
    // The file operations, without dialogs (the actions ask for the file, then call these).
    void importFile(const QString &path);
    void exportFile(const QString &path);
    void checkFile(const QString &path);

Q_SIGNALS:
    // One-line outcome of an operation, for the status bar.
    void statusMessage(const QString &message);
    void operationFinished();

private:
    void showReport(const QString &path, const WorkspaceReport &report, bool imported);
    void setBusy(bool busy);
    QString askForFile(bool save, const QString &title);

    Storage &m_storage;
    WorkspaceModel *m_model = nullptr;
    QTreeView *m_tree = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_problemsTitle = nullptr;
    QListWidget *m_problems = nullptr;
    QAction *m_importAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_checkAction = nullptr;
    QAction *m_reloadAction = nullptr;
};

} // namespace Dcs
