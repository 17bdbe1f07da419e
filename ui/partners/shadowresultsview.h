#pragma once

#include "partners/partner.h"
#include "storage/partnertraffic.h"

#include <QWidget>

#include <optional>

class QAbstractItemModel;
class QAction;
class QComboBox;
class QLabel;
class QTableView;
class QToolButton;

namespace Dcs {

class LatencyBudgetBar;
class ShadowCodesModel;
class ShadowComparisonModel;

// What a partner would have added on real traffic while in shadow mode: its codes (mapped or
// not), how often it answered in time, late or not at all, its latency against the deadline,
// and the same figures of the live partners over the same events. The view only shows; the
// page runs the query (off the GUI thread) when refreshRequested() is emitted.
class ShadowResultsView final : public QWidget
{
    Q_OBJECT
public:
    explicit ShadowResultsView(QWidget *parent = nullptr);

    // The partner shown (nullopt: none selected), which clears the results.
    void setPartner(const std::optional<Partner> &partner);
    void showLoading();
    void showResults(const PartnerTraffic::ShadowResults &results);
    void showError(const QString &error);

    // The chosen range, ending now.
    qint64 rangeMs() const;
    std::optional<qint64> partnerId() const;

    ShadowComparisonModel *comparisonModel() const { return m_comparison; }
    ShadowCodesModel *codesModel() const { return m_codes; }
    QLabel *headlineLabel() const { return m_headline; }
    QAction *refreshAction() const { return m_refreshAction; }

    void saveState() const;

Q_SIGNALS:
    void refreshRequested();
    void statusMessage(const QString &message);

private:
    void restoreState();
    void copySelection(QTableView *view);
    QTableView *makeTable(QAbstractItemModel *model, int sortRole, const QString &name);

    std::optional<Partner> m_partner;
    QComboBox *m_range = nullptr;
    QAction *m_refreshAction = nullptr;
    QToolButton *m_refresh = nullptr;
    QLabel *m_updated = nullptr;
    QLabel *m_note = nullptr;
    QLabel *m_headline = nullptr;
    LatencyBudgetBar *m_latency = nullptr;
    ShadowComparisonModel *m_comparison = nullptr;
    ShadowCodesModel *m_codes = nullptr;
    QTableView *m_comparisonView = nullptr;
    QTableView *m_codesView = nullptr;
    bool m_columnsSized = false; // widths fitted to the numbers once, or restored
    bool m_restoring = false;
};

} // namespace Dcs
