#include "appsettings.h"

namespace Dcs {

namespace Key {
const QString geometry = QStringLiteral("mainWindow/geometry");
const QString state = QStringLiteral("mainWindow/state");
const QString splitter = QStringLiteral("mainWindow/splitter");
const QString page = QStringLiteral("mainWindow/page");
const QString workspaceFolder = QStringLiteral("workspace/lastFolder");
} // namespace Key

QByteArray AppSettings::mainWindowGeometry() const
{
    return m_settings.value(Key::geometry).toByteArray();
}

void AppSettings::setMainWindowGeometry(const QByteArray &geometry)
{
    m_settings.setValue(Key::geometry, geometry);
}

QByteArray AppSettings::mainWindowState() const
{
    return m_settings.value(Key::state).toByteArray();
}

void AppSettings::setMainWindowState(const QByteArray &state)
{
    m_settings.setValue(Key::state, state);
}

QByteArray AppSettings::mainSplitterState() const
{
    return m_settings.value(Key::splitter).toByteArray();
}

void AppSettings::setMainSplitterState(const QByteArray &state)
{
    m_settings.setValue(Key::splitter, state);
}

QString AppSettings::currentPage() const
{
    return m_settings.value(Key::page).toString();
}

void AppSettings::setCurrentPage(const QString &pageId)
{
    m_settings.setValue(Key::page, pageId);
}

QString AppSettings::lastWorkspaceFolder() const
{
    return m_settings.value(Key::workspaceFolder).toString();
}

void AppSettings::setLastWorkspaceFolder(const QString &folder)
{
    m_settings.setValue(Key::workspaceFolder, folder);
}

} // namespace Dcs
