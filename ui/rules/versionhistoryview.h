#pragma once

#include "storage/definitionversions.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QThreadPool>
#include <QWidget>

class QLabel;
class QPushButton;
class QTextBrowser;
class QTreeWidget;

namespace Dcs {

class Storage;

// The versions of one trait or segment (definition_versions): each create, edit and delete with
// its time, author and action, the difference between its before and after (the rule's lines
// and every changed field, + and - marked), and "Restore this version", which hands the
// version's definition to the editor (saving it then records a new version). Generic over
// DefinitionVersion::Kind: the trait and segment editors both use it.
class VersionHistoryView final : public QWidget
{
    Q_OBJECT

public:
    // One line of a diff: '+' added, '-' removed, ' ' unchanged (context).
    struct DiffLine
    {
        QChar sign;
        QString text;

        friend bool operator==(const DiffLine &, const DiffLine &) = default;
    };

    VersionHistoryView(Storage &storage, DefinitionVersion::Kind kind, QWidget *parent = nullptr);
    ~VersionHistoryView() override;

    // Shows the versions of `sid` (read off the GUI thread); 0 shows nothing.
    void setSid(qint64 sid);
    qint64 sid() const { return m_sid; }
    void reload();
    const QList<DefinitionVersion> &versions() const { return m_versions; }
    // Selects the version (1-based), as a click on its row does.
    void selectVersion(int version);
    QTreeWidget *list() const { return m_list; }
    QTextBrowser *diffView() const { return m_diff; }
    QPushButton *restoreButton() const { return m_restore; }

    // The fields that differ between two definitions (in their JSON form), then the rule's
    // lines: a line diff (longest common subsequence) with unchanged lines as context.
    static QList<DiffLine> diff(const QJsonObject &before, const QJsonObject &after);

Q_SIGNALS:
    // "Restore this version": the definition as it was after that version.
    void restoreRequested(const QJsonObject &definition, int version);
    // The versions of the current sid were read (after setSid() or reload()).
    void loaded();

private:
    void showSelected();

    Storage &m_storage;
    DefinitionVersion::Kind m_kind;
    qint64 m_sid = 0;
    quint64 m_generation = 0;
    QList<DefinitionVersion> m_versions;
    QThreadPool m_worker;
    QTreeWidget *m_list = nullptr;
    QTextBrowser *m_diff = nullptr;
    QPushButton *m_restore = nullptr;
    QLabel *m_summary = nullptr;
};

} // namespace Dcs
