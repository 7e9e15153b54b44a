// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title Pay-per-call settlement in MNEE
/// @notice Moves MNEE from a payer (who approved this router) to a service's
///         payee. Every payment carries a reference that can be paid once, so
///         a retried settlement can never move money twice. A payee can refund
///         a payment back to its payer (the payee approves this router too).
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

    mapping(bytes32 paymentRef => Payment) private _payments;

    event PaymentMade(
        bytes32 indexed paymentRef,
        address indexed payer,
        address indexed payee,
        uint256 amount,
        bytes32 serviceId
    );

    event PaymentRefunded(bytes32 indexed paymentRef, address indexed payer, address indexed payee, uint256 amount);

    error PaymentRefAlreadyUsed(bytes32 paymentRef);
    error ZeroPaymentRef();
    error InvalidPayee();
    error ZeroAmount();
    error EmptyBatch();
    error UnknownPayment(bytes32 paymentRef);
    error NotPayee(bytes32 paymentRef, address caller);
    error AlreadyRefunded(bytes32 paymentRef);

    constructor(IERC20 token_) {
        token = token_;
    }

    /// @notice Pays `amount` of MNEE from the caller to `payee` for `serviceId`.
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

    /// @notice Returns a payment to its payer. Only the payee can refund, once.
    function refund(bytes32 paymentRef) external {
        Payment storage payment = _payments[paymentRef];
        if (payment.payer == address(0)) revert UnknownPayment(paymentRef);
        if (msg.sender != payment.payee) revert NotPayee(paymentRef, msg.sender);
        if (payment.refunded) revert AlreadyRefunded(paymentRef);
        payment.refunded = true;
        emit PaymentRefunded(paymentRef, payment.payer, payment.payee, payment.amount);
        token.safeTransferFrom(payment.payee, payment.payer, payment.amount);
    }

    /// @notice The payment recorded under `paymentRef` (a zero payer when none).
    function paymentOf(bytes32 paymentRef) external view returns (Payment memory) {
        return _payments[paymentRef];
    }

    function _pay(address payer, address payee, uint256 amount, bytes32 serviceId, bytes32 paymentRef) private {
        if (paymentRef == bytes32(0)) revert ZeroPaymentRef();
        if (payee == address(0) || payee == payer) revert InvalidPayee();
        if (amount == 0) revert ZeroAmount();
        if (_payments[paymentRef].payer != address(0)) revert PaymentRefAlreadyUsed(paymentRef);
        _payments[paymentRef] = Payment(payer, payee, amount, serviceId, false);
        emit PaymentMade(paymentRef, payer, payee, amount, serviceId);
        token.safeTransferFrom(payer, payee, amount);
    }
}
