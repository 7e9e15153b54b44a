// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title Pay-per-call settlement in MNEE
/// @notice Moves MNEE from a payer (who approved this router) to a service's
///         payee. Every payment carries a reference that its payer can use
///         once, so a retried settlement can never move money twice. A
///         reference belongs to its payer: payments are keyed by (payer,
///         reference), so nobody else can take, or block, a payer's
///         references. A payee can refund a payment back to its payer (the
///         payee approves this router too).
contract MNEEPaymentRouter {
    using SafeERC20 for IERC20;

    struct Payment {
        address payer;
        address payee;
        uint256 amount;
        bytes32 serviceId;
        bool refunded;
    }

    struct PaymentRequest {
        address payee;
        uint256 amount;
        bytes32 serviceId;
        bytes32 paymentRef;
    }

    IERC20 public immutable token;

    mapping(address payer => mapping(bytes32 paymentRef => Payment)) private _payments;

    event PaymentMade(
        bytes32 indexed paymentRef,
        address indexed payer,
        address indexed payee,
        uint256 amount,
        bytes32 serviceId
    );

    event PaymentRefunded(bytes32 indexed paymentRef, address indexed payer, address indexed payee, uint256 amount);

    error PaymentRefAlreadyUsed(address payer, bytes32 paymentRef);
    error ZeroPaymentRef();
    error InvalidPayee();
    error ZeroAmount();
    error EmptyBatch();
    error UnknownPayment(address payer, bytes32 paymentRef);
    error NotPayee(address payer, bytes32 paymentRef, address caller);
    error AlreadyRefunded(address payer, bytes32 paymentRef);

    constructor(IERC20 token_) {
        token = token_;
    }

    /// @notice Pays `amount` of MNEE from the caller to `payee` for `serviceId`, under the caller's `paymentRef`.
    function pay(address payee, uint256 amount, bytes32 serviceId, bytes32 paymentRef) external {
        _pay(msg.sender, payee, amount, serviceId, paymentRef);
    }

    /// @notice Settles many payments from the caller in one transaction; all or none.
    function payBatch(PaymentRequest[] calldata requests) external {
        if (requests.length == 0) revert EmptyBatch();
        for (uint256 i = 0; i < requests.length; ++i) {
            PaymentRequest calldata request = requests[i];
            _pay(msg.sender, request.payee, request.amount, request.serviceId, request.paymentRef);
        }
    }

    /// @notice Returns `payer`'s payment `paymentRef` to its payer. Only the payee can refund, once.
    function refund(address payer, bytes32 paymentRef) external {
        Payment storage payment = _payments[payer][paymentRef];
        if (payment.payer == address(0)) revert UnknownPayment(payer, paymentRef);
        if (msg.sender != payment.payee) revert NotPayee(payer, paymentRef, msg.sender);
        if (payment.refunded) revert AlreadyRefunded(payer, paymentRef);
        payment.refunded = true;
        emit PaymentRefunded(paymentRef, payment.payer, payment.payee, payment.amount);
        token.safeTransferFrom(payment.payee, payment.payer, payment.amount);
    }

    /// @notice The payment `payer` made under `paymentRef` (a zero payer when none).
    function paymentOf(address payer, bytes32 paymentRef) external view returns (Payment memory) {
        return _payments[payer][paymentRef];
    }

    function _pay(address payer, address payee, uint256 amount, bytes32 serviceId, bytes32 paymentRef) private {
        if (paymentRef == bytes32(0)) revert ZeroPaymentRef();
        if (payee == address(0) || payee == payer) revert InvalidPayee();
        if (amount == 0) revert ZeroAmount();
        Payment storage recorded = _payments[payer][paymentRef];
        if (recorded.payer != address(0)) revert PaymentRefAlreadyUsed(payer, paymentRef);
        _payments[payer][paymentRef] = Payment(payer, payee, amount, serviceId, false);
        emit PaymentMade(paymentRef, payer, payee, amount, serviceId);
        token.safeTransferFrom(payer, payee, amount);
    }
}
