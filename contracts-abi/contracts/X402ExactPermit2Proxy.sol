// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Permit2} from "./Permit2.sol";

/// @title x402 exact Permit2 proxy stand-in for the local chain
/// @notice The spender of the x402 `exact` scheme's Permit2 path: the payer signs a Permit2
///         `PermitWitnessTransferFrom` naming this contract as spender and, as witness, the payee
///         (`to`) and the time from which it may be settled (`validAfter`). Anyone (the facilitator)
///         may call `settle`; the money can only go to the signed `to`, and always the exact
///         permitted amount, because Permit2 checks the signature over the witness.
/// @dev    The ABI is the one `@x402/evm` 2.27 calls (`settle`, `PERMIT2`, `WITNESS_TYPEHASH`,
///         `WITNESS_TYPE_STRING`, and its custom errors, which its facilitator classifies by name).
///         `settleWithPermit` (EIP-2612 gas sponsoring) is left out: the real MNEE has no `permit`.
///         Placed at 0x402085c248EeA27D92E8b30b2C58ed07f9E20001 with `hardhat_setCode` (local
///         chain 31337 only): no constructor runs, so Permit2's canonical address is a constant
///         and the contract keeps no state (it never holds tokens either).
contract X402ExactPermit2Proxy {
    /// Uniswap's canonical Permit2, where the local chain places the Permit2 stand-in.
    Permit2 public constant PERMIT2 = Permit2(0x000000000022D473030F116dDEE9F6B43aC78BA3);

    /// The witness the payer signs: the payee and the earliest settlement time (unix seconds).
    struct Witness {
        address to;
        uint256 validAfter;
    }

    bytes32 public constant WITNESS_TYPEHASH = keccak256("Witness(address to,uint256 validAfter)");
    /// What Permit2 appends to its stub: the witness field, then the referenced types in EIP-712 (alphabetical) order.
    string public constant WITNESS_TYPE_STRING =
        "Witness witness)TokenPermissions(address token,uint256 amount)Witness(address to,uint256 validAfter)";

    event Settled();

    error InvalidAmount();
    error InvalidDestination();
    error InvalidOwner();
    error PaymentTooEarly();

    /// @notice Moves exactly `permit.permitted.amount` from `owner` to `witness.to` through Permit2.
    /// @dev    Refuses a zero owner, payee or amount, and a settlement before `witness.validAfter`
    ///         (`PaymentTooEarly`); Permit2 refuses the rest (expired deadline, used nonce, a signature
    ///         that is not `owner`'s over this permit, this spender and this witness).
    function settle(
        Permit2.PermitTransferFrom calldata permit,
        address owner,
        Witness calldata witness,
        bytes calldata signature
    ) external {
        if (owner == address(0)) revert InvalidOwner();
        if (witness.to == address(0)) revert InvalidDestination();
        if (permit.permitted.amount == 0) revert InvalidAmount();
        if (block.timestamp < witness.validAfter) revert PaymentTooEarly();
        bytes32 witnessHash = keccak256(abi.encode(WITNESS_TYPEHASH, witness.to, witness.validAfter));
        PERMIT2.permitWitnessTransferFrom(
            permit,
            Permit2.SignatureTransferDetails({to: witness.to, requestedAmount: permit.permitted.amount}),
            owner,
            witnessHash,
            WITNESS_TYPE_STRING,
            signature
        );
        emit Settled();
    }
}
