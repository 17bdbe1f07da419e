#pragma once

#include "dcs/dcslistener.h"

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

    // Where this machine's DCS listens when --listen is not given ("127.0.0.1:8480").
    QString listenAddress() const;
    void setListenAddress(const QString &address);
    // The listener's limits (dcs-api.md's table); the defaults when never set.
    DcsListener::Limits listenerLimits() const;
    void setListenerLimits(const DcsListener::Limits &limits);
    // Group commit: answer a call only once its event is stored (default). Off trades the
    // guarantee that every answered call is stored for lower latency.
    bool answerAfterCommit() const;
    void setAnswerAfterCommit(bool enabled);

    // Monitor page (live transfers table and its detail pane).
    // The most transfers the live table holds (default 50,000).
    int monitorCapacity() const;
    void setMonitorCapacity(int rows);
    // The table's header (visible columns, their order and widths, the sort).
    QByteArray monitorHeaderState() const;
    void setMonitorHeaderState(const QByteArray &state);
    // The page's vertical splitter (health strip, charts, table) and the table | detail one.
    QByteArray monitorSplitterState() const;
    void setMonitorSplitterState(const QByteArray &state);
    QByteArray monitorDetailSplitterState() const;
    void setMonitorDetailSplitterState(const QByteArray &state);
    // The transfer detail pane's current tab (shared by every page that shows one).
    int transferDetailTab() const;
    void setTransferDetailTab(int tab);

private:
    QSettings m_settings;
};

} // namespace Dcs
