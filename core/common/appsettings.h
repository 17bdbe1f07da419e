#pragma once

#include <QByteArray>
#include <QSettings>
#include <QString>

namespace Dcs {

// Every per-user preference behind one typed class: no QSettings string keys elsewhere.
// Requires the application identity (setApplicationIdentity) before construction.
class AppSettings
{
public:
    AppSettings() = default;

    QByteArray mainWindowGeometry() const;
    void setMainWindowGeometry(const QByteArray &geometry);
    QByteArray mainWindowState() const;
    void setMainWindowState(const QByteArray &state);
    QByteArray mainSplitterState() const;
    void setMainSplitterState(const QByteArray &state);
    QString currentPage() const;
    void setCurrentPage(const QString &pageId);
    QString lastWorkspaceFolder() const;
    void setLastWorkspaceFolder(const QString &folder);

private:
    QSettings m_settings;
};

} // namespace Dcs
