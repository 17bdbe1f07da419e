#include "dcsserver.h"

#include "common/logging.h"
#include "storage/storage.h"

namespace Dcs {

DcsServer::DcsServer(QObject *parent)
    : QObject(parent)
{
}

DcsServer::~DcsServer()
{
    shutdown();
}

bool DcsServer::openStorage(const QString &databasePath, QString *error)
{
    m_storage = Storage::open(databasePath, error);
    return m_storage != nullptr;
}

bool DcsServer::startListener(const QHostAddress &address, quint16 port, QString *error)
{
    if (m_listener.listen(address, port))
        return true;
    *error = m_listener.errorString();
    return false;
}

void DcsServer::shutdown()
{
    m_listener.close();
    if (m_storage) {
        const auto stats = m_storage->writer().stats();
        m_storage.reset(); // stops the writer after it committed its queue
        qCInfo(lcStorage) << "storage closed;" << stats.committed << "writes committed,"
                          << stats.failedItems << "failed";
    }
}

QString DcsServer::listenAddressText() const
{
    if (!m_listener.isListening())
        return {};
    const QHostAddress address = m_listener.address();
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
                             : address.toString();
    return host + QLatin1Char(':') + QString::number(m_listener.port());
}

} // namespace Dcs
