#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QObject>

class QSocketNotifier;

namespace Dcs {

// An accepted, connected TCP socket on the current thread's event loop, read and written with
// plain recv()/send() (POSIX only).
//
// Why not QTcpSocket: per request it asked the kernel how much was readable (an extra ioctl),
// read into a fresh 16 KiB ring-buffer block (glibc consolidated its free lists for each
// one) and copied the answer into a write buffer. On this project's machine system calls and
// allocations were most of the HTTP layer's cost; the channel reads into the caller's buffer,
// sends an answer straight from its own bytes and keeps only what the kernel would not take.
class SocketChannel final : public QObject
{
    Q_OBJECT
public:
    enum class ReadStatus { Data, WouldBlock, EndOfStream, Failed };
    struct ReadResult
    {
        ReadStatus status = ReadStatus::WouldBlock;
        qsizetype bytes = 0; // with Data
    };

    // Takes ownership of `descriptor` (closed by close() or the destructor).
    SocketChannel(qintptr descriptor, QObject *parent);
    ~SocketChannel() override;

    bool isOpen() const { return m_descriptor >= 0; }
    QHostAddress peerAddress() const { return m_peer; }
    qintptr descriptor() const { return m_descriptor; }

    ReadResult read(char *buffer, qsizetype capacity);
    // Reads and drops everything readable now; false when the stream ended or failed.
    bool discardInput();
    // Whether readable() is emitted. Off, the kernel keeps what arrives and TCP flow control
    // slows the client.
    void setReadEnabled(bool enabled);

    // Queues `bytes` (shared, not copied, when nothing else is queued); flush() sends.
    void write(const QByteArray &bytes);
    // Sends what the kernel takes now; the rest goes as the socket becomes writable, with
    // bytesWritten() after each step. False when the peer is gone (the channel is closed).
    bool flush();
    qsizetype bytesToWrite() const { return m_output.size() - m_outputSent; }

    bool shutdownWrite(); // sends FIN after what is queued has been sent
    void close();         // at once, dropping anything queued

Q_SIGNALS:
    void readable();
    void bytesWritten(); // from the event loop only, never from inside flush()
    void failed();       // a send failed: the peer is gone and the channel is closed

private:
    void onWritable();
    bool sendQueued();

    qintptr m_descriptor = -1;
    QHostAddress m_peer;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QByteArray m_output;
    qsizetype m_outputSent = 0;
    bool m_shutdownPending = false;
};

} // namespace Dcs
