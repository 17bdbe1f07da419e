#pragma once

#include "commandline.h"
#include "dcslistener.h"

#include <QObject>

#include <memory>

namespace Dcs {

class Storage;

// The DCS as one object: its database and its listener (and, as they arrive, the transfer engine
// and the rules engine). The GUI and the headless server both run exactly this.
class DcsServer final : public QObject
{
    Q_OBJECT
public:
    explicit DcsServer(QObject *parent = nullptr);
    ~DcsServer() override;

    // Opens (creating and migrating) the database. False with a message on failure.
    bool openStorage(const QString &databasePath, QString *error);
    // Binds the listener. False with a message on failure; the storage stays open.
    bool startListener(const QHostAddress &address, quint16 port, QString *error);
    // Stops accepting, then commits everything accepted and closes the database.
    void shutdown();

    Storage *storage() const { return m_storage.get(); }
    DcsListener &listener() { return m_listener; }
    // "127.0.0.1:8480" (IPv6 in brackets), or empty when not listening.
    QString listenAddressText() const;

private:
    std::unique_ptr<Storage> m_storage;
    DcsListener m_listener;
};

} // namespace Dcs
