#pragma once

#include "reportrows.h"

#include <QThreadPool>
#include <QWidget>

#include <atomic>
#include <functional>
#include <optional>

class QAction;
class QCategoryAxis;
class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QLineSeries;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
class QValueAxis;

namespace Dcs {

class DcsServer;
class ReportTableModel;

// The reports of rules.md: per trait, unique and total realizations over 1/7/14/30/60/90 days
// and the population now; per segment, the population now and over those windows, and the
// selected segment's adds and drops per UTC day as a chart. Numbers are computed off the GUI
// thread when the page is shown and on Refresh; Export writes the table as CSV.
class ReportsPage final : public QWidget
{
    Q_OBJECT
public:
    using Clock = std::function<qint64()>;

    explicit ReportsPage(DcsServer &server, QWidget *parent = nullptr);
    ~ReportsPage() override;

    // Computes every number again as of now.
    void refresh();
    bool isLoading() const { return m_loading; }
    // The instant the numbers shown were computed at (0 before the first).
    qint64 reportTimeMs() const { return m_reportTimeMs; }
    // "now" for the numbers (tests pin it); the wall clock by default.
    void setClock(Clock clock) { m_clock = std::move(clock); }

    // Writes the table, in the order shown, to `path` off the GUI thread; exportFinished says
    // how it went. False, with a status message, when nothing was started.
    bool exportCsv(const QString &path);

    // Selects a trait's or segment's row (and charts it).
    void selectItem(ReportRow::Kind kind, qint64 sid);
    // The row of the selected item, if any.
    std::optional<ReportRow> currentItem() const;
    // The days charted: 7, 30 or 90.
    int chartDays() const;
    // The changes the chart shows, oldest day first (empty for a trait or nothing selected).
    const QList<SegmentDayChanges> &chartedChanges() const { return m_charted; }

    ReportTableModel *model() const { return m_model; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QTableView *view() const { return m_view; }
    QLineEdit *findEdit() const { return m_findEdit; }
    QComboBox *chartDaysBox() const { return m_daysBox; }
    QChartView *chartView() const { return m_chartView; }
    QLineSeries *addsSeries() const { return m_adds; }
    QLineSeries *dropsSeries() const { return m_drops; }
    QCategoryAxis *dayAxis() const { return m_dayAxis; }
    QLabel *summaryLabel() const { return m_summary; }
    QAction *refreshAction() const { return m_refreshAction; }
    QAction *exportAction() const { return m_exportAction; }

Q_SIGNALS:
    void statusMessage(const QString &message);
    // New numbers are in the table.
    void reportsLoaded();
    // The chart shows the current item (or says why it has nothing to show).
    void chartLoaded();
    // `error` is empty on success.
    void exportFinished(const QString &path, const QString &error);

protected:
    bool event(QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void buildActions();
    void buildLayout();
    QWidget *buildChart();
    void applyTheme();
    void showRows(const QList<ReportRow> &rows, qint64 nowMs, const QString &error);
    void loadChart();
    void showChart(const ReportRow &row, const QList<SegmentDayChanges> &changes,
                   const QString &error);
    void askAndExport();
    void showTableMenu(const QPoint &position);
    void showHeaderMenu(const QPoint &position);
    QList<ReportRow> rowsInViewOrder() const;
    void restoreSettings();
    void saveSettings() const;
    qint64 now() const;

    DcsServer &m_server;
    ReportTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QLineEdit *m_findEdit = nullptr;
    QComboBox *m_daysBox = nullptr;
    QLabel *m_summary = nullptr;
    QSplitter *m_splitter = nullptr;
    QChart *m_chart = nullptr;
    QChartView *m_chartView = nullptr;
    QLineSeries *m_adds = nullptr;
    QLineSeries *m_drops = nullptr;
    QCategoryAxis *m_dayAxis = nullptr;
    QValueAxis *m_countAxis = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_findAction = nullptr;

    Clock m_clock;
    qint64 m_reportTimeMs = 0;
    bool m_loading = false;
    bool m_exporting = false;
    bool m_styling = false;
    quint64 m_generation = 0;
    quint64 m_chartGeneration = 0;
    std::atomic<quint64> m_latestGeneration{0}; // read by the worker: a newer refresh stops it
    QList<SegmentDayChanges> m_charted;
    QThreadPool m_pool; // one thread: refreshes, charts and exports in the order asked
};

} // namespace Dcs
