#include "socketchannel.h"

#include <QSocketNotifier>

#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Dcs {

namespace {

QHostAddress peerOf(int descriptor)
{
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (::getpeername(descriptor, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        return {};
    return QHostAddress(reinterpret_cast<const sockaddr *>(&address));
}

} // namespace

SocketChannel::SocketChannel(qintptr descriptor, QObject *parent)
    : QObject(parent)
    , m_descriptor(descriptor)
{
    const int fd = int(m_descriptor);
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK))
        ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    const int noDelay = 1; // answers are small and complete: no Nagle wait for more
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &noDelay, sizeof(noDelay));
    m_peer = peerOf(fd);

    m_readNotifier = new QSocketNotifier(m_descriptor, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &SocketChannel::readable);
    m_writeNotifier = new QSocketNotifier(m_descriptor, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &SocketChannel::onWritable);
}

SocketChannel::~SocketChannel()
{
    close();
}

SocketChannel::ReadResult SocketChannel::read(char *buffer, qsizetype capacity)
{
    if (m_descriptor < 0)
        return {ReadStatus::Failed, 0};
    for (;;) {
        const ssize_t got = ::recv(int(m_descriptor), buffer, size_t(capacity), 0);
        if (got > 0)
            return {ReadStatus::Data, qsizetype(got)};
        if (got == 0)
            return {ReadStatus::EndOfStream, 0};
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return {ReadStatus::WouldBlock, 0};
        return {ReadStatus::Failed, 0};
    }
}

bool SocketChannel::discardInput()
{
    char sink[4096];
    for (;;) {
        const ReadResult result = read(sink, sizeof(sink));
        if (result.status == ReadStatus::WouldBlock)
            return true;
        if (result.status != ReadStatus::Data)
            return false;
    }
}

void SocketChannel::setReadEnabled(bool enabled)
{
    if (m_readNotifier && m_readNotifier->isEnabled() != enabled)
        m_readNotifier->setEnabled(enabled);
}

void SocketChannel::write(const QByteArray &bytes)
{
    if (m_descriptor < 0 || bytes.isEmpty())
        return;
    if (bytesToWrite() == 0) {
        m_output = bytes;
        m_outputSent = 0;
    } else {
        m_output.append(bytes);
    }
}

bool SocketChannel::flush()
{
    if (m_descriptor < 0)
        return false;
    if (!sendQueued()) {
        close();
        return false;
    }
    return true;
}

// Sends until everything is out or the kernel's buffer is full; false on a broken connection.
bool SocketChannel::sendQueued()
{
    while (bytesToWrite() > 0) {
        // MSG_NOSIGNAL: a peer that has gone away is an error here, not a SIGPIPE.
        const ssize_t sent = ::send(int(m_descriptor), m_output.constData() + m_outputSent,
                                    size_t(bytesToWrite()), MSG_NOSIGNAL);
        if (sent >= 0) {
            m_outputSent += sent;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            break;
        return false;
    }
    if (bytesToWrite() == 0) {
        m_output.clear();
        m_outputSent = 0;
        if (m_shutdownPending) {
            m_shutdownPending = false;
            ::shutdown(int(m_descriptor), SHUT_WR);
        }
    } else if (m_outputSent > 64 * 1024) {
        m_output.remove(0, m_outputSent); // do not keep sent bytes of a long answer queue
        m_outputSent = 0;
    }
    m_writeNotifier->setEnabled(bytesToWrite() > 0);
    return true;
}

void SocketChannel::onWritable()
{
    if (!flush()) {
        Q_EMIT failed();
        return;
    }
    Q_EMIT bytesWritten();
}

bool SocketChannel::shutdownWrite()
{
    if (m_descriptor < 0)
        return false;
    if (bytesToWrite() > 0) {
        m_shutdownPending = true;
        return true;
    }
    return ::shutdown(int(m_descriptor), SHUT_WR) == 0;
}

void SocketChannel::close()
{
    if (m_descriptor < 0)
        return;
    // The notifiers go first: a notifier must not outlive its descriptor.
    delete m_readNotifier;
    m_readNotifier = nullptr;
    delete m_writeNotifier;
    m_writeNotifier = nullptr;
    ::close(int(m_descriptor));
    m_descriptor = -1;
    m_output.clear();
    m_outputSent = 0;
}

} // namespace Dcs
